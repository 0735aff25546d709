package executor

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubectl-wf/kubectl-wf/executor/fetchspec"
)

// notFoundError is a 404, which an optional artifact may be: its status.
type notFoundError string

func (e notFoundError) Error() string { return string(e) }

// fetchAll downloads each artifact of specs into dir/NAME (a file, or a
// directory when it was an archive), stopping at the first failure, which
// it also writes to messageFile as the container's termination message.
func fetchAll(ctx context.Context, client *http.Client, specs []fetchspec.Spec, dir, messageFile string, getenv func(string) string) error {
	for _, s := range specs {
		err := fetchOne(ctx, client, s, filepath.Join(dir, s.Name), getenv)
		var notFound notFoundError
		if errors.As(err, &notFound) && s.Optional {
			continue // Argo skips an optional artifact that is not found
		}
		if err != nil {
			err = fmt.Errorf("artifact %s failed to load: %w", s.Name, err)
			if messageFile != "" {
				_ = os.WriteFile(messageFile, []byte(err.Error()), 0o644)
			}
			return err
		}
	}
	return nil
}

func fetchOne(ctx context.Context, client *http.Client, s fetchspec.Spec, dest string, getenv func(string) string) error {
	tmp := dest + ".tmp"
	if err := download(ctx, client, s, tmp, getenv); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := unarchive(s.Archive, tmp, dest); err != nil {
		return err
	}
	if s.Mode != nil {
		return chmodArtifact(dest, fs.FileMode(*s.Mode), s.RecurseMode)
	}
	return nil
}

func download(ctx context.Context, client *http.Client, s fetchspec.Spec, file string, getenv func(string) string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return err
	}
	for _, h := range s.Headers {
		req.Header.Add(h.Name, h.Value)
	}
	if s.UsernameEnv != "" && s.PasswordEnv != "" {
		if user, password := getenv(s.UsernameEnv), getenv(s.PasswordEnv); user != "" && password != "" {
			req.SetBasicAuth(user, password)
		}
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return notFoundError(res.Status)
	case res.StatusCode < 200 || res.StatusCode >= 300:
		return fmt.Errorf("loading content from %s failed with reason: %s", s.URL, res.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// unarchive moves the downloaded file tmp to dest, unpacking it first
// when it is an archive: explicitly, or a gzip'd tarball when archive is
// empty (Argo does not detect zips).
func unarchive(archive, tmp, dest string) error {
	var unpackInto func(string, string) error
	switch archive {
	case "none":
	case "tar":
		unpackInto = untar
	case "zip":
		unpackInto = unzip
	case "":
		if isTarball(tmp) {
			unpackInto = untar
		}
	default:
		return fmt.Errorf("unknown archive %q", archive)
	}
	if unpackInto == nil {
		return os.Rename(tmp, dest)
	}
	defer os.Remove(tmp)
	return unpack(tmp, dest, unpackInto)
}

// isTarball tells a gzip'd tar by its first entry.
func isTarball(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return false
	}
	_, err = tar.NewReader(zr).Next()
	return err == nil
}

// unpack extracts src into a scratch directory, then makes dest of it as
// Argo does: the one file or directory it held, else the directory.
func unpack(src, dest string, unpackInto func(src, dir string) error) error {
	scratch := dest + ".tmpdir"
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return err
	}
	if err := unpackInto(src, scratch); err != nil {
		return err
	}
	entries, err := os.ReadDir(scratch)
	if err != nil {
		return err
	}
	if len(entries) == 1 {
		if err := os.Rename(filepath.Join(scratch, entries[0].Name()), dest); err != nil {
			return err
		}
		return os.Remove(scratch)
	}
	return os.Rename(scratch, dest)
}

// within joins name to dir, refusing a name that climbs out of it, as
// Argo does.
func within(dir, name string) (string, error) {
	target := filepath.Join(dir, name)
	if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
		return "", fmt.Errorf("illegal file path: %s", name)
	}
	return target, nil
}

func untar(src, dir string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		target, err := within(dir, h.Name)
		if err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			err = writeFile(target, fs.FileMode(h.Mode).Perm(), tr)
		case tar.TypeSymlink:
			err = symlinkWithin(dir, target, h.Linkname)
		}
		if err != nil {
			return err
		}
	}
}

func unzip(src, dir string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		target, err := within(dir, f.Name)
		if err != nil {
			return err
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		err = writeFile(target, f.Mode().Perm(), rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// symlinkWithin makes a link whose target stays inside dir, as Argo
// refuses one that leaves it.
func symlinkWithin(dir, target, link string) error {
	resolved := link
	if !filepath.IsAbs(link) {
		resolved = filepath.Join(filepath.Dir(target), link)
	}
	if !strings.HasPrefix(filepath.Clean(resolved), filepath.Clean(dir)+string(filepath.Separator)) {
		return fmt.Errorf("illegal symlink target: %s -> %s", target, link)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	return os.Symlink(link, target)
}

func writeFile(target string, mode fs.FileMode, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// chmodArtifact gives path mode, and with recurse everything below it.
func chmodArtifact(path string, mode fs.FileMode, recurse bool) error {
	if !recurse {
		return os.Chmod(path, mode)
	}
	return filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		return os.Chmod(p, mode)
	})
}

// parseFetch reads fetch's arguments (the destination directory) and its
// list from the environment.
func parseFetch(args []string, getenv func(string) string) (string, []fetchspec.Spec, error) {
	if len(args) != 1 {
		return "", nil, errors.New("fetch takes the destination directory")
	}
	var specs []fetchspec.Spec
	if err := json.Unmarshal([]byte(getenv(fetchspec.Env)), &specs); err != nil {
		return "", nil, fmt.Errorf("%s: %w", fetchspec.Env, err)
	}
	return args[0], specs, nil
}
