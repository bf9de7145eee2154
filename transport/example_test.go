package transport_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/aioaws/aioaws/transport"
)

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()

	tr, err := transport.New(transport.Options{MaxInFlight: 16})
	if err != nil {
		panic(err)
	}
	defer tr.Close()

	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
	resp, timing, err := tr.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close() // always: Close releases the in-flight slot
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body), tr.InFlight(), timing.Queued)
	// Output: 200 hello 1 0s
}
