// argosay for the local cluster's argoproj/argosay:v2 stand-in image; its own
// module so that the main module's ./... never includes it.
module kubectl-wf.local/images/argosay

go 1.24.0
