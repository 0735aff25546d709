package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// The media types of the OCI image spec (v1.1).
const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// pathEnv is the PATH of Linux images from Docker Hub.
const pathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

type descriptor struct {
	MediaType string    `json:"mediaType"`
	Digest    string    `json:"digest"`
	Size      int64     `json:"size"`
	Platform  *platform `json:"platform,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type imageConfig struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Config       struct {
		Entrypoint []string `json:"Entrypoint"`
		Env        []string `json:"Env"`
	} `json:"config"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

type manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        descriptor   `json:"config"`
	Layers        []descriptor `json:"layers"`
}

type index struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []descriptor `json:"manifests"`
}

// writeLayout writes dir anew: an OCI image layout whose index.json lists
// one image per platform, each the program at programPath.
func writeLayout(dir, programPath string, images []platformImage) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	l := &layout{dir: dir}
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755); err != nil {
		return err
	}
	idx := index{SchemaVersion: 2, MediaType: mediaIndex}
	for _, img := range images {
		d, err := l.image(programPath, img)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", img.OS, img.Arch, err)
		}
		idx.Manifests = append(idx.Manifests, d)
	}
	if err := l.writeJSON(filepath.Join(dir, "index.json"), idx); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`+"\n"), 0o644)
}

type layout struct{ dir string }

// image writes one platform's layer, config and manifest, and describes
// the manifest.
func (l *layout) image(programPath string, img platformImage) (descriptor, error) {
	program, err := os.ReadFile(img.File)
	if err != nil {
		return descriptor{}, err
	}
	layerTar, err := tarOf(programPath, program)
	if err != nil {
		return descriptor{}, err
	}
	layerGz, err := gzipOf(layerTar)
	if err != nil {
		return descriptor{}, err
	}
	layer, err := l.blob(mediaLayer, layerGz)
	if err != nil {
		return descriptor{}, err
	}
	var cfg imageConfig
	cfg.Architecture, cfg.OS = img.Arch, img.OS
	cfg.Config.Entrypoint = []string{programPath}
	cfg.Config.Env = []string{pathEnv}
	cfg.RootFS.Type = "layers"
	cfg.RootFS.DiffIDs = []string{digestOf(layerTar)}
	config, err := l.blobJSON(mediaConfig, cfg)
	if err != nil {
		return descriptor{}, err
	}
	m, err := l.blobJSON(mediaManifest, manifest{SchemaVersion: 2, MediaType: mediaManifest, Config: config, Layers: []descriptor{layer}})
	if err != nil {
		return descriptor{}, err
	}
	m.Platform = &platform{Architecture: img.Arch, OS: img.OS}
	return m, nil
}

// tarOf is a layer holding content at programPath, with its folders: owned
// by root, time 0, so the same program gives the same layer.
func tarOf(programPath string, content []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	name := strings.TrimPrefix(path.Clean(programPath), "/")
	epoch := time.Unix(0, 0)
	var dirs []string
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		dirs = append([]string{d}, dirs...)
	}
	for _, d := range dirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: epoch, Format: tar.FormatUSTAR}); err != nil {
			return nil, err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o755, Size: int64(len(content)), ModTime: epoch, Format: tar.FormatUSTAR}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(content); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gzipOf compresses with no name and no time in the header.
func gzipOf(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (l *layout) blob(mediaType string, data []byte) (descriptor, error) {
	d := descriptor{MediaType: mediaType, Digest: digestOf(data), Size: int64(len(data))}
	err := os.WriteFile(filepath.Join(l.dir, "blobs", "sha256", strings.TrimPrefix(d.Digest, "sha256:")), data, 0o644)
	return d, err
}

func (l *layout) blobJSON(mediaType string, v any) (descriptor, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return descriptor{}, err
	}
	return l.blob(mediaType, data)
}

func (l *layout) writeJSON(file string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(data, '\n'), 0o644)
}
