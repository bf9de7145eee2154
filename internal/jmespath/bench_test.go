package jmespath

import (
	"encoding/json"
	"testing"
)

func benchDoc(b *testing.B) any {
	b.Helper()
	var reservations []any
	for i := range 10 {
		var instances []any
		for j := range 5 {
			state := "running"
			if (i+j)%3 == 0 {
				state = "pending"
			}
			instances = append(instances, map[string]any{
				"InstanceId": "i-0123456789", "State": map[string]any{"Code": 16.0, "Name": state},
			})
		}
		reservations = append(reservations, map[string]any{"Instances": instances})
	}
	var table any
	if err := json.Unmarshal([]byte(`{"TableName": "t", "TableStatus": "ACTIVE",
		"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "ItemCount": 0}`), &table); err != nil {
		b.Fatal(err)
	}
	return map[string]any{"Table": table, "Reservations": reservations}
}

func benchSearch(b *testing.B, expr string) {
	data := benchDoc(b)
	e := MustCompile(expr)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Search(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWaiterPath is a waiter acceptor path (DynamoDB TableExists).
func BenchmarkWaiterPath(b *testing.B) { benchSearch(b, "Table.TableStatus") }

// BenchmarkProjection is a waiter pathAll (EC2 InstanceRunning): 50 instances.
func BenchmarkProjection(b *testing.B) { benchSearch(b, "Reservations[].Instances[].State.Name") }

func BenchmarkFilter(b *testing.B) {
	benchSearch(b, "length(Reservations[].Instances[?State.Name == 'running'][]) > `0`")
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("Reservations[].Instances[?State.Name == 'running'].InstanceId | [0]"); err != nil {
			b.Fatal(err)
		}
	}
}
