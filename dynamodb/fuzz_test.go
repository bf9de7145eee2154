package dynamodb_test

import (
	"errors"
	"testing"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/dynamodb"
)

// FuzzItems feeds hostile Query bodies to both ways of reading Items: the JSON fast path
// fails exactly when the response is malformed, and otherwise reads what the document path
// reads (but for members the model does not know, which only the fast path keeps).
func FuzzItems(f *testing.F) {
	f.Add(queryBody)
	f.Add(`{"Items":[{"v":{"VECTOR":[1]}}]}`)
	f.Add(`{"Items":[{"a":{"S":"x","N":"1"}}]}`)
	f.Add(`{"Items":[{"a":{"L":[{"M":{"b":{"BS":["AA=="]}}}]}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var fast, slow queryOutput
		errFast := parse(t, "Query", body, &fast, true)
		errSlow := parse(t, "Query", body, &slow, false)
		if isDecodeError(errFast) || isDecodeError(errSlow) || hasUnknown(fast.Items) {
			return // a misfit: both fall back to the document path, or only one keeps an unknown member
		}
		if (errFast == nil) != (errSlow == nil) {
			t.Fatalf("fast path error %v, document path error %v", errFast, errSlow)
		}
		if errFast != nil {
			return
		}
		if len(fast.Items) != len(slow.Items) || !fast.LastEvaluatedKey.Equal(slow.LastEvaluatedKey) {
			t.Fatalf("fast %v, slow %v", fast, slow)
		}
		for i := range fast.Items {
			if !fast.Items[i].Equal(slow.Items[i]) {
				t.Fatalf("item %d: fast %v, slow %v", i, fast.Items[i], slow.Items[i])
			}
		}
	})
}

func isDecodeError(err error) bool {
	var de *aws.DecodeError
	return errors.As(err, &de)
}

func hasUnknown(items []dynamodb.Item) bool {
	var walk func(v dynamodb.Value) bool
	walk = func(v dynamodb.Value) bool {
		switch v.Kind() {
		case dynamodb.KindUnknown:
			return true
		case dynamodb.KindM:
			m, _ := v.M()
			for _, e := range m {
				if walk(e) {
					return true
				}
			}
		case dynamodb.KindL:
			l, _ := v.L()
			for _, e := range l {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	for _, it := range items {
		for _, v := range it {
			if walk(v) {
				return true
			}
		}
	}
	return false
}
