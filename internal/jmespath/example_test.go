package jmespath_test

import (
	"encoding/json"
	"fmt"

	"github.com/aioaws/aioaws/internal/jmespath"
)

// A waiter acceptor path and a paginator output token, compiled once and searched.
func Example() {
	var page any
	_ = json.Unmarshal([]byte(`{
		"Table": {"TableStatus": "ACTIVE"},
		"IsTruncated": true,
		"Contents": [{"Key": "photos/1.jpg"}, {"Key": "photos/2.jpg"}]
	}`), &page)

	status := jmespath.MustCompile("Table.TableStatus")
	next := jmespath.MustCompile("NextMarker || Contents[-1].Key")

	s, _ := status.Search(page)
	n, _ := next.Search(page)
	keys, _ := jmespath.Search("Contents[?starts_with(Key, 'photos/')].Key", page)
	fmt.Println(s)
	fmt.Println(n)
	fmt.Println(keys)

	_, err := jmespath.Compile("Contents[0")
	fmt.Println(err)
	// Output:
	// ACTIVE
	// photos/2.jpg
	// [photos/1.jpg photos/2.jpg]
	// jmespath: syntax error at 10: expected ':' or ']', found end of expression (in "Contents[0")
}
