// Command kubectl-wf runs Argo Workflows YAML as native Kubernetes Jobs,
// driven from the client: no controller, no CRD. kubectl finds it on PATH as
// the plugin "wf".
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-logr/logr"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	_ "k8s.io/client-go/plugin/pkg/client/auth" // cloud auth providers, as kubectl has them
	"k8s.io/klog/v2"

	"github.com/kubectl-wf/kubectl-wf/cmd/kubectl-wf/cli"
)

func main() {
	cli.SetDefaultMemoryLimit()
	// client-go logs through klog, e.g. a warning for every watch its
	// informers close on shutdown; kubectl-wf reports errors itself.
	klog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	code := cli.Execute(ctx, streams, os.Args[1:])
	stop()
	os.Exit(code)
}
