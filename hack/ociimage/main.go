// Command ociimage writes a multi-platform image of one static program as
// an OCI image layout, offline and byte for byte reproducible: what
// hack/dist.sh makes of kubectl-wf-executor for a release, to be pushed
// with `crane push --index DIR REF`.
//
//	ociimage -out DIR -path /kubectl-wf-executor linux/amd64=BIN linux/arm64=BIN
//
// Each image has one layer holding the program at -path (mode 0755, owned
// by root, time 0), which is also its entrypoint.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	out := flag.String("out", "", "the OCI image layout directory to write (made anew)")
	path := flag.String("path", "", "where the program lies in the image, and its entrypoint")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: ociimage -out DIR -path /PROGRAM OS/ARCH=FILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || !strings.HasPrefix(*path, "/") || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var images []platformImage
	for _, arg := range flag.Args() {
		img, err := parsePlatformImage(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ociimage:", err)
			os.Exit(2)
		}
		images = append(images, img)
	}
	if err := writeLayout(*out, *path, images); err != nil {
		fmt.Fprintln(os.Stderr, "ociimage:", err)
		os.Exit(1)
	}
}

// platformImage is one platform's program.
type platformImage struct {
	OS, Arch string
	File     string
}

func parsePlatformImage(arg string) (platformImage, error) {
	platform, file, ok := strings.Cut(arg, "=")
	os, arch, ok2 := strings.Cut(platform, "/")
	if !ok || !ok2 || os == "" || arch == "" || file == "" {
		return platformImage{}, fmt.Errorf("%q: want OS/ARCH=FILE", arg)
	}
	return platformImage{OS: os, Arch: arch, File: file}, nil
}
