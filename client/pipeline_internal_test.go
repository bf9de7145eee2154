package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/endpoints"
	"github.com/aioaws/aioaws/protocol"
)

// parseDate remembers the last date it parsed; it must still answer as http.ParseTime for
// each new one, and for invalid ones.
func TestParseDateAgreesWithParseTime(t *testing.T) {
	for _, text := range []string{
		"Sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:38 GMT",
		"not a date",
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:38 GMT",
		"",
	} {
		want, wantErr := http.ParseTime(text)
		got, err := parseDate(text)
		require.Equal(t, wantErr != nil, err != nil, text)
		require.True(t, want.Equal(got), "%q: got %v, want %v", text, got, want)
	}
	now := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	resp := &http.Response{Header: http.Header{"Date": {"Sun, 06 Nov 1994 08:59:37 GMT"}}}
	require.Equal(t, 10*time.Minute, clockSkew(resp, now))
	require.Equal(t, 10*time.Minute, clockSkew(resp, now)) // remembered
	resp.Header.Set("Date", "Sun, 06 Nov 1994 08:49:38 GMT")
	require.Zero(t, clockSkew(resp, now))
}

// Each attempt's request carries the attempt's context and a body of its own, which GetBody
// can produce again.
func TestNewHTTPRequest(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "attempt")
	base, err := url.Parse("https://dynamodb.us-east-1.amazonaws.com")
	require.NoError(t, err)
	preq := &protocol.Request{Method: http.MethodPost, Path: "/", Header: http.Header{"X-Amz-Target": {"T"}}, Body: []byte(`{"a":1}`)}
	ep := endpoints.Endpoint{Headers: map[string][]string{"X-Ep": {"e"}}}

	r1, err := newHTTPRequest(ctx, new(attemptParts), preq, base, ep, http.Header{"X-Extra": {"x"}})
	require.NoError(t, err)
	require.Equal(t, "attempt", r1.Context().Value(key{}))
	require.Equal(t, "https://dynamodb.us-east-1.amazonaws.com/", r1.URL.String())
	require.Equal(t, "dynamodb.us-east-1.amazonaws.com", r1.Host)
	require.Equal(t, http.MethodPost, r1.Method)
	require.Equal(t, "HTTP/1.1", r1.Proto)
	require.Equal(t, int64(7), r1.ContentLength)
	require.Equal(t, "e", r1.Header.Get("X-Ep"))
	require.Equal(t, "x", r1.Header.Get("X-Extra"))

	r2, err := newHTTPRequest(context.Background(), new(attemptParts), preq, base, endpoints.Endpoint{}, nil)
	require.NoError(t, err)
	require.Nil(t, r2.Context().Value(key{}))
	for _, r := range []*http.Request{r1, r2} {
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		require.Equal(t, `{"a":1}`, string(b))
		again, err := r.GetBody()
		require.NoError(t, err)
		b, err = io.ReadAll(again)
		require.NoError(t, err)
		require.Equal(t, `{"a":1}`, string(b))
	}
	require.Nil(t, emptyRequest.Context().Value(key{}), "the template request is never changed")
	require.Nil(t, emptyRequest.URL)
}
