// Package endpoints is the Smithy endpoint rules engine: it compiles a service's
// endpoint-rule-set-1.json and resolves, for the parameters of a call, the endpoint to send
// it to (URL, headers, properties such as the auth schemes to sign with) or the error the
// rules give.
//
// # Compiling and resolving
//
// Compile parses a rule set once into a RuleSet: typed parameters (with defaults, required
// flags and built-in names), and endpoint, error and tree rules whose conditions, references,
// template strings ("https://{Region}.{PartitionResult#dnsSuffix}") and function calls were
// checked and resolved to slots. Problems are *CompileError values naming the JSON path.
// The standard library is built in: isSet, not, getAttr, stringEquals, booleanEquals,
// substring, isValidHostLabel, parseURL, uriEncode, aws.partition (over partitions.json, see
// Partitions), aws.parseArn and aws.isVirtualHostableS3Bucket.
//
// RuleSet.Resolve evaluates the rules for a Params (values by parameter name) without caching.
// An error rule yields a *RuleError carrying the rule's message; match it with errors.As.
//
// # Binding parameters and caching
//
// A Resolver (NewResolver, or ForService for a models.Service) binds the parameters of a call
// the way the SDKs do, lowest precedence first: parameter defaults, built-ins from a Config
// (AWS::Region, AWS::UseFIPS, SDK::Endpoint, AWS::S3::ForcePathStyle, ...), the service's
// client context parameters, then per operation its operationContextParams (JMESPath over
// the input), its input members marked contextParam, and its staticContextParams.
//
// It caches the resolution of each distinct parameter set (only the parameters some rule
// reads make up the key, so S3 object keys do not fan the cache out), bounded in size, with
// lock-free lookups: ResolveOperation on a cached parameter set does not allocate.
//
// # Concurrency
//
// Partitions, RuleSet and Resolver are immutable after construction (the Resolver's cache is
// internally synchronized) and safe for concurrent use by any number of goroutines. A Params
// must not be modified while it is being resolved. Resolved Endpoint values share their
// Headers, Properties and AuthSchemes with the cache and must be treated as read-only.
// Nothing in this package starts goroutines or blocks, so no call takes a context.
package endpoints
