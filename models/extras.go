package models

import "sync"

// Paginator is one entry of paginators-1.json: how to page through an operation's results.
// Tokens and result keys are expressions over the input/output (JMESPath subset).
type Paginator struct {
	InputToken       []string
	OutputToken      []string // parallel to InputToken; e.g. "NextMarker || Contents[-1].Key"
	LimitKey         string
	MoreResults      string // expression that is true while more pages exist, if any
	ResultKey        []string
	NonAggregateKeys []string
}

// Waiter is one entry of waiters-2.json: poll Operation every Delay seconds, at most
// MaxAttempts times, until an acceptor moves to "success" or "failure".
type Waiter struct {
	Name        string
	Operation   string
	Delay       int
	MaxAttempts int
	Acceptors   []Acceptor
}

// Acceptor is a waiter condition. Matcher is "path", "pathAll", "pathAny", "status" or "error";
// State is "success", "failure" or "retry"; Argument is the JMESPath expression for path
// matchers; Expected is a JSON value (string, float64, bool, nil, ...).
type Acceptor struct {
	Matcher  string
	State    string
	Argument string
	Expected any
}

// extras are the parts of a service that most clients never need, decoded on first use.
type extras struct {
	paginators func() (map[string]*Paginator, error)
	waiters    func() (map[string]*Waiter, error)
	rules      func() ([]byte, error)
}

func newExtras(svc *Service, src *source, dir string) *extras {
	x := &extras{}
	x.paginators = sync.OnceValues(func() (map[string]*Paginator, error) {
		file, data, err := src.readOptional(dir + "/paginators-1.json")
		if err != nil || data == nil {
			return map[string]*Paginator{}, err
		}
		return parsePaginators(svc, file, data)
	})
	x.waiters = sync.OnceValues(func() (map[string]*Waiter, error) {
		file, data, err := src.readOptional(dir + "/waiters-2.json")
		if err != nil || data == nil {
			return map[string]*Waiter{}, err
		}
		return parseWaiters(svc, file, data)
	})
	x.rules = sync.OnceValues(func() ([]byte, error) {
		_, data, err := src.readOptional(dir + "/endpoint-rule-set-1.json")
		return data, err
	})
	return x
}

// Paginators returns the service's paginators by operation name (empty if it has none).
// The map is shared and must not be modified.
func (s *Service) Paginators() (map[string]*Paginator, error) {
	if s.extras == nil {
		return map[string]*Paginator{}, nil
	}
	return s.extras.paginators()
}

// Waiters returns the service's waiters by name (empty if it has none). The map is shared
// and must not be modified.
func (s *Service) Waiters() (map[string]*Waiter, error) {
	if s.extras == nil {
		return map[string]*Waiter{}, nil
	}
	return s.extras.waiters()
}

// EndpointRuleSet returns the raw endpoint-rule-set-1.json document of the service, or nil if
// the model has none. The endpoints package compiles it. The slice must not be modified.
func (s *Service) EndpointRuleSet() ([]byte, error) {
	if s.extras == nil {
		return nil, nil
	}
	return s.extras.rules()
}

func parsePaginators(svc *Service, file string, data []byte) (map[string]*Paginator, error) {
	d := &decoder{file: file, data: data}
	out := map[string]*Paginator{}
	err := d.object(func(key string) error {
		if key != "pagination" {
			return d.skip()
		}
		return d.object(func(opName string) error {
			if _, ok := svc.Operations[opName]; !ok {
				return d.errorf("paginator for unknown operation %s", quote(opName))
			}
			p := &Paginator{}
			out[opName] = p
			return d.object(func(k string) error {
				var err error
				switch k {
				case "input_token":
					p.InputToken, err = d.stringOrStrings()
				case "output_token":
					p.OutputToken, err = d.stringOrStrings()
				case "limit_key":
					p.LimitKey, err = d.str()
				case "more_results":
					p.MoreResults, err = d.str()
				case "result_key":
					p.ResultKey, err = d.stringOrStrings()
				case "non_aggregate_keys":
					p.NonAggregateKeys, err = d.strings()
				default:
					err = d.skip()
				}
				return err
			})
		})
	})
	if err == nil {
		err = d.end()
	}
	return out, err
}

func parseWaiters(svc *Service, file string, data []byte) (map[string]*Waiter, error) {
	d := &decoder{file: file, data: data}
	out := map[string]*Waiter{}
	err := d.object(func(key string) error {
		if key != "waiters" {
			return d.skip()
		}
		return d.object(func(name string) error {
			w := &Waiter{Name: name}
			out[name] = w
			err := d.object(func(k string) error {
				var err error
				switch k {
				case "operation":
					if w.Operation, err = d.str(); err == nil {
						if _, ok := svc.Operations[w.Operation]; !ok {
							err = d.errorf("waiter uses unknown operation %s", quote(w.Operation))
						}
					}
				case "delay":
					w.Delay, err = d.integer()
				case "maxAttempts":
					w.MaxAttempts, err = d.integer()
				case "acceptors":
					err = d.array(func(int) error {
						var a Acceptor
						err := d.object(func(k string) error {
							var err error
							switch k {
							case "matcher":
								a.Matcher, err = d.str()
							case "state":
								a.State, err = d.str()
							case "argument":
								a.Argument, err = d.str()
							case "expected":
								a.Expected, err = d.value()
							default:
								err = d.skip()
							}
							return err
						})
						w.Acceptors = append(w.Acceptors, a)
						return err
					})
				default:
					err = d.skip()
				}
				return err
			})
			if err == nil && w.Operation == "" {
				err = d.errorf("waiter has no operation")
			}
			return err
		})
	})
	if err == nil {
		err = d.end()
	}
	return out, err
}
