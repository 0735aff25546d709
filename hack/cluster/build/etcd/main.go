// Command etcd is etcd's own server, built from the module proxy for the
// local test cluster (hack/cluster/build.sh).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
