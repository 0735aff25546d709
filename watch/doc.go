// Package watch will drive workflows on a cluster from the client: it
// watches a workflow's Jobs and Pods with informers, records each node's
// result in its Job's annotations, and creates the Jobs that become ready,
// holding a Lease so that one driver at a time drives a workflow. It takes
// a kubernetes.Interface, so that unit tests run it against fakes and
// integration tests against the local cluster. See docs/design.md.
package watch
