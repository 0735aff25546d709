package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteLayout reads the layout back as a registry client would: every
// blob is named by its digest, each platform's manifest leads to a config
// whose diff_id is its layer's uncompressed digest and to a layer holding
// the program at its path, with its folders; and the same programs give
// the same bytes.
func TestWriteLayout(t *testing.T) {
	src := t.TempDir()
	programs := map[string]string{"amd64": "amd64 program", "arm64": "arm64 program"}
	var images []platformImage
	for _, arch := range []string{"amd64", "arm64"} {
		file := filepath.Join(src, arch)
		if err := os.WriteFile(file, []byte(programs[arch]), 0o600); err != nil {
			t.Fatal(err)
		}
		images = append(images, platformImage{OS: "linux", Arch: arch, File: file})
	}
	dir := filepath.Join(t.TempDir(), "image")
	if err := writeLayout(dir, "/usr/bin/prog", images); err != nil {
		t.Fatal(err)
	}

	var idx index
	readJSON(t, filepath.Join(dir, "index.json"), &idx)
	if idx.MediaType != mediaIndex || len(idx.Manifests) != 2 {
		t.Fatalf("index = %+v, want an OCI index of 2 manifests", idx)
	}
	for i, d := range idx.Manifests {
		arch := images[i].Arch
		if d.Platform == nil || *d.Platform != (platform{Architecture: arch, OS: "linux"}) || d.MediaType != mediaManifest {
			t.Errorf("manifest %d = %+v, want linux/%s", i, d, arch)
		}
		var m manifest
		readJSON(t, blobPath(t, dir, d), &m)
		var cfg imageConfig
		readJSON(t, blobPath(t, dir, m.Config), &cfg)
		if len(m.Layers) != 1 || m.Layers[0].MediaType != mediaLayer {
			t.Fatalf("layers = %+v, want one gzip'd layer", m.Layers)
		}
		layer := unzip(t, blobPath(t, dir, m.Layers[0]))
		if got := []string{digestOf(layer)}; !cmp.Equal(got, cfg.RootFS.DiffIDs) {
			t.Errorf("%s: diff_ids %v, want %v", arch, cfg.RootFS.DiffIDs, got)
		}
		if cfg.OS != "linux" || cfg.Architecture != arch || !cmp.Equal(cfg.Config.Entrypoint, []string{"/usr/bin/prog"}) {
			t.Errorf("%s: config %+v", arch, cfg)
		}
		want := []string{"usr/ 0755 dir", "usr/bin/ 0755 dir", "usr/bin/prog 0755 " + programs[arch]}
		if diff := cmp.Diff(want, entries(t, layer)); diff != "" {
			t.Errorf("%s: layer (-want +got):\n%s", arch, diff)
		}
	}

	first, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	if err := writeLayout(dir, "/usr/bin/prog", images); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "index.json")); !bytes.Equal(first, again) {
		t.Errorf("a second build differs:\n%s\n%s", first, again)
	}
}

func TestParsePlatformImage(t *testing.T) {
	for _, tc := range []struct {
		arg     string
		want    platformImage
		wantErr bool
	}{
		{arg: "linux/arm64=bin/x", want: platformImage{OS: "linux", Arch: "arm64", File: "bin/x"}},
		{arg: "linux=bin/x", wantErr: true},
		{arg: "linux/amd64", wantErr: true},
		{arg: "/amd64=x", wantErr: true},
		{arg: "linux/amd64=", wantErr: true},
	} {
		got, err := parsePlatformImage(tc.arg)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parsePlatformImage(%q) = %+v, %v", tc.arg, got, err)
		}
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// blobPath is d's blob, whose content must have d's digest and size.
func blobPath(t *testing.T, dir string, d descriptor) string {
	t.Helper()
	file := filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(d.Digest, "sha256:"))
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if digestOf(data) != d.Digest || int64(len(data)) != d.Size {
		t.Fatalf("blob %s: digest %s, %d bytes, want %d", d.Digest, digestOf(data), len(data), d.Size)
	}
	return file
}

func unzip(t *testing.T, file string) []byte {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// entries lists a layer as "NAME MODE CONTENT" (dir for a folder), root-owned
// at time 0 only.
func entries(t *testing.T, layer []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(layer))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.ModTime.Unix() != 0 {
			t.Errorf("%s: owner %d:%d, time %v", h.Name, h.Uid, h.Gid, h.ModTime)
		}
		content := "dir"
		if h.Typeflag == tar.TypeReg {
			data, _ := io.ReadAll(tr)
			content = string(data)
		}
		out = append(out, fmt.Sprintf("%s %04o %s", h.Name, h.Mode, content))
	}
}
