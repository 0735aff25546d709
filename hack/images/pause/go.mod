// The pod sandbox's "pause" program for the local cluster's images; its own
// module so that the main module's ./... never includes it.
module kubectl-wf.local/images/pause

go 1.24.0
