package examples

import (
	"context"
	"fmt"
	"io"

	"github.com/aioaws/aioaws/client"
)

// SQSQueue is aiobotocore's queue example: create a queue, list the queues, delete the queue.
func SQSQueue(ctx context.Context, sqs *client.Client, name string, w io.Writer) error {
	fmt.Fprintf(w, "creating %s\n", name)
	out, err := sqs.Call(ctx, "CreateQueue", map[string]any{"QueueName": name})
	if err != nil {
		return err
	}
	url := out["QueueUrl"].(string)
	list, err := sqs.Call(ctx, "ListQueues", nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "queue URLs:")
	urls, _ := list["QueueUrls"].([]any)
	for _, u := range urls {
		fmt.Fprintf(w, "  %v\n", u)
	}
	fmt.Fprintf(w, "deleting %s\n", url)
	_, err = sqs.Call(ctx, "DeleteQueue", map[string]any{"QueueUrl": url})
	return err
}
