package client

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestClientCalls checks, for every client and operation, that a call succeeds and returns
// exactly what the server sent, alone and at concurrency 64.
func TestClientCalls(t *testing.T) {
	url := server(t)
	for _, op := range ops {
		for _, kind := range kinds {
			t.Run(op+"/"+kindName(kind), func(t *testing.T) {
				c, err := factories[kind][op](url)
				if err != nil {
					t.Fatal(err)
				}
				if err := c(true); err != nil {
					t.Fatal(err)
				}
				before, err := srv.stats()
				if err != nil {
					t.Fatal(err)
				}
				if failed, err := run(c, 64, 256); err != nil {
					t.Fatalf("%d of 256 calls failed; first: %v", failed, err)
				}
				after, err := srv.stats()
				if err != nil {
					t.Fatal(err)
				}
				if after.Requests-before.Requests != 256 || after.Errors != before.Errors {
					t.Fatalf("server answered %d requests, %d errors", after.Requests-before.Requests, after.Errors-before.Errors)
				}
			})
		}
	}
}

// cell is one benchmark's results over the rounds.
type cell struct {
	ops, cpu, srvCPU, allocs, bytes, inflight, conns []float64
}

func (c *cell) add(r testing.BenchmarkResult) {
	c.ops = append(c.ops, r.Extra["ops/s"])
	c.cpu = append(c.cpu, r.Extra["cpu-ns/op"])
	c.srvCPU = append(c.srvCPU, r.Extra["srv-cpu-ns/op"])
	c.allocs = append(c.allocs, float64(r.AllocsPerOp()))
	c.bytes = append(c.bytes, float64(r.AllocedBytesPerOp()))
	c.inflight = append(c.inflight, r.Extra["max-inflight"])
	c.conns = append(c.conns, r.Extra["new-conns"])
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// rng renders the median and, over several rounds, the range: "21034[19800-22100]".
func rng(v []float64, format string) string {
	s := fmt.Sprintf(format, median(v))
	if len(v) > 1 {
		s += fmt.Sprintf("["+format+"-"+format+"]", slices.Min(v), slices.Max(v))
	}
	return s
}

// TestClientRatios runs the whole matrix through testing.Benchmark (each benchmark for
// -test.benchtime, default 1s; -client.rounds times, interleaving the clients) and prints the
// ratios of aioaws to aws-sdk-go-v2 and to the raw net/http ceiling, then which goals are met.
// The goals are reported, not asserted; every call's success is.
//
//	go test -run TestClientRatios -v -client.rounds 3
func TestClientRatios(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: runs 24 benchmarks (-short)")
	}
	server(t)
	results := map[string]*cell{} // op/conc/kind
	key := func(op string, conc int, kind string) string { return fmt.Sprintf("%s/%d/%s", op, conc, kind) }
	for round := range *flagRounds {
		for _, op := range ops {
			for _, conc := range concs {
				for _, kind := range kinds {
					var failure error
					r := testing.Benchmark(func(b *testing.B) { bench(b, kind, op, conc, &failure) })
					if failure != nil || r.N == 0 {
						t.Fatalf("round %d %s c=%d %s: benchmark failed: %v", round+1, op, conc, kind, failure)
					}
					k := key(op, conc, kind)
					if results[k] == nil {
						results[k] = &cell{}
					}
					results[k].add(r)
					t.Logf("round %d %-9s c=%-2d %-13s %s", round+1, op, conc, kind, r.String()+" "+r.MemString())
				}
			}
		}
	}

	var out strings.Builder
	fmt.Fprintf(&out, "\nrounds=%d (medians; [min-max] over rounds)\n", *flagRounds)
	fmt.Fprintf(&out, "%-9s %-3s %-13s %22s %26s %18s %22s %26s %8s %9s\n", "op", "c", "client", "ops/s", "cpu-ns/op", "allocs/op", "B/op", "srv-cpu-ns/op", "inflight", "new-conns")
	for _, op := range ops {
		for _, conc := range concs {
			for _, kind := range kinds {
				c := results[key(op, conc, kind)]
				fmt.Fprintf(&out, "%-9s %-3d %-13s %22s %26s %18s %22s %26s %8s %9s\n", op, conc, kind,
					rng(c.ops, "%.0f"), rng(c.cpu, "%.0f"), rng(c.allocs, "%.0f"), rng(c.bytes, "%.0f"), rng(c.srvCPU, "%.0f"), rng(c.inflight, "%.0f"), rng(c.conns, "%.0f"))
			}
		}
	}
	out.WriteString("\n")

	type goal struct {
		name string
		met  bool
	}
	var goals []goal
	for _, op := range ops {
		cpuGoal := 0.33
		if strings.HasSuffix(op, "Object") {
			cpuGoal = 0.5
		}
		for _, conc := range concs {
			a, s, r := results[key(op, conc, kAioaws)], results[key(op, conc, kSDK)], results[key(op, conc, kRaw)]
			cpuRatio := median(a.cpu) / median(s.cpu)
			allocRatio := median(a.allocs) / median(s.allocs)
			bytesRatio := median(a.bytes) / median(s.bytes)
			ofCeiling := median(a.ops) / median(r.ops)
			sdkCeiling := median(s.ops) / median(r.ops)
			// The client's own CPU: above what the raw client spends on the same exchange.
			overhead := (median(a.cpu) - median(r.cpu)) / (median(s.cpu) - median(r.cpu))
			// Client and server share the cores, so CPU-bound throughput is inversely
			// proportional to client+server CPU per op: a noise-robust estimate of of_ceiling
			// (only meaningful with the server in its own process).
			perOp := func(c *cell) float64 { return median(c.cpu) + median(c.srvCPU) }
			ofCeilingCPU, sdkCeilingCPU := perOp(r)/perOp(a), perOp(r)/perOp(s)
			fmt.Fprintf(&out, "CLIENT op=%s c=%d aioaws_ops=%.0f sdk_ops=%.0f raw_ops=%.0f cpu_ratio=%.2f allocs_ratio=%.2f bytes_ratio=%.2f of_ceiling=%.2f sdk_of_ceiling=%.2f of_ceiling_cpu=%.2f sdk_of_ceiling_cpu=%.2f overhead_cpu_ratio=%.2f\n",
				op, conc, median(a.ops), median(s.ops), median(r.ops), cpuRatio, allocRatio, bytesRatio, ofCeiling, sdkCeiling, ofCeilingCPU, sdkCeilingCPU, overhead)
			goals = append(goals,
				goal{fmt.Sprintf("%s c=%d cpu ≤ %.2f× sdk (%.2f)", op, conc, cpuGoal, cpuRatio), cpuRatio <= cpuGoal},
				goal{fmt.Sprintf("%s c=%d allocs ≤ 0.33× sdk (%.2f)", op, conc, allocRatio), allocRatio <= 0.33})
			if conc == 64 {
				goals = append(goals, goal{fmt.Sprintf("%s c=64 throughput ≥ 0.5× raw (%.2f; sdk %.2f)", op, ofCeiling, sdkCeiling), ofCeiling >= 0.5})
			}
		}
	}
	met := 0
	out.WriteString("\nGOALS\n")
	for _, g := range goals {
		mark := "MISSED"
		if g.met {
			mark, met = "met   ", met+1
		}
		fmt.Fprintf(&out, "  %s %s\n", mark, g.name)
	}
	fmt.Fprintf(&out, "GOALS met %d of %d\n", met, len(goals))
	fmt.Print(out.String())
}
