// Command aioaws is the aioaws side of the binary-size comparison: a program that uses only
// DynamoDB and S3.
package main

import (
	"fmt"
	"log"

	"github.com/aioaws/aioaws/models"
)

func main() {
	for _, name := range []string{"dynamodb", "s3"} {
		svc, err := models.Load(name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(svc.Name, len(svc.Operations), "operations")
	}
}
