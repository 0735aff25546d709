package executor

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-wf/kubectl-wf/executor/fetchspec"
)

// tarGz is a gzip'd tarball of files (name → content; a name ending in /
// is a folder).
func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}
		if strings.HasSuffix(n, "/") {
			h = &tar.Header{Name: n, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, content := range files {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tree lists dir as "PATH MODE CONTENT" lines (dir for a folder).
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		content := "dir"
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			content = string(data)
		}
		out = append(out, rel+" "+info.Mode().String()+" "+content)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFetch(t *testing.T) {
	single := tarGz(t, map[string]string{"only.txt": "one"})
	several := tarGz(t, map[string]string{"a.txt": "A", "sub/": "", "sub/b.txt": "B"})
	escaping := tarGz(t, map[string]string{"../outside": "x"})
	zipped := zipOf(t, map[string]string{"z/1.txt": "1", "z/2.txt": "2"})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/plain":
			w.Write([]byte("plain " + r.Header.Get("X-Token")))
		case "/private":
			if user, password, ok := r.BasicAuth(); !ok || user != "u" || password != "p" {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			w.Write([]byte("secret"))
		case "/single.tgz":
			w.Write(single)
		case "/several.tgz":
			w.Write(several)
		case "/escaping.tgz":
			w.Write(escaping)
		case "/files.zip":
			w.Write(zipped)
		case "/broken":
			http.Error(w, "oops", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	defer server.Close()
	env := map[string]string{"U": "u", "P": "p"}
	mode := int32(0o755)
	tests := []struct {
		name    string
		spec    fetchspec.Spec
		want    []string
		wantErr string
	}{
		{name: "a file, with headers", spec: fetchspec.Spec{URL: "/plain", Headers: []fetchspec.Header{{Name: "X-Token", Value: "t1"}}},
			want: []string{"a -rw-r--r-- plain t1"}},
		{name: "basic auth from the environment", spec: fetchspec.Spec{URL: "/private", UsernameEnv: "U", PasswordEnv: "P"},
			want: []string{"a -rw-r--r-- secret"}},
		{name: "no credentials", spec: fetchspec.Spec{URL: "/private"},
			wantErr: "artifact a failed to load: loading content from URL/private failed with reason: 401 Unauthorized"},
		{name: "a tarball of one file becomes that file", spec: fetchspec.Spec{URL: "/single.tgz"},
			want: []string{"a -rw-r--r-- one"}},
		{name: "a tarball of several becomes a folder", spec: fetchspec.Spec{URL: "/several.tgz"},
			want: []string{"a drwxr-xr-x dir", "a/a.txt -rw-r--r-- A", "a/sub drwxr-xr-x dir", "a/sub/b.txt -rw-r--r-- B"}},
		{name: "archive none keeps the tarball", spec: fetchspec.Spec{URL: "/single.tgz", Archive: "none"},
			want: []string{"a -rw-r--r-- " + string(single)}},
		{name: "a zip is unpacked when it says so", spec: fetchspec.Spec{URL: "/files.zip", Archive: "zip"},
			want: []string{"a drwxr-xr-x dir", "a/1.txt -rw-r--r-- 1", "a/2.txt -rw-r--r-- 2"}},
		{name: "mode", spec: fetchspec.Spec{URL: "/plain", Mode: &mode},
			want: []string{"a -rwxr-xr-x plain "}},
		{name: "mode on a folder and what it holds", spec: fetchspec.Spec{URL: "/several.tgz", Mode: &mode, RecurseMode: true},
			want: []string{"a drwxr-xr-x dir", "a/a.txt -rwxr-xr-x A", "a/sub drwxr-xr-x dir", "a/sub/b.txt -rwxr-xr-x B"}},
		{name: "a tarball climbing out is refused", spec: fetchspec.Spec{URL: "/escaping.tgz"},
			wantErr: "artifact a failed to load: illegal file path: ../outside"},
		{name: "not found", spec: fetchspec.Spec{URL: "/missing"}, wantErr: "artifact a failed to load: 404 Not Found"},
		{name: "an optional one not found is skipped", spec: fetchspec.Spec{URL: "/missing", Optional: true}},
		{name: "a server error", spec: fetchspec.Spec{URL: "/broken", Optional: true},
			wantErr: "artifact a failed to load: loading content from URL/broken failed with reason: 500 Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, messageFile := t.TempDir(), filepath.Join(t.TempDir(), "message")
			tt.spec.Name = "a"
			tt.spec.URL = server.URL + tt.spec.URL
			err := fetchAll(context.Background(), server.Client(), []fetchspec.Spec{tt.spec}, dir, messageFile, func(k string) string { return env[k] })
			wantErr := strings.ReplaceAll(tt.wantErr, "URL", server.URL)
			if tt.wantErr != "" {
				message, _ := os.ReadFile(messageFile)
				if err == nil || err.Error() != wantErr || string(message) != wantErr {
					t.Fatalf("error %v, message %q; want %q", err, message, wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tree(t, dir)); diff != "" {
				t.Errorf("fetched (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFetch(t *testing.T) {
	env := map[string]string{fetchspec.Env: `[{"name":"a","url":"http://h/x","headers":[{"name":"K","value":"V"}],"archive":"none"}]`}
	dir, specs, err := parseFetch([]string{"/out"}, func(k string) string { return env[k] })
	want := []fetchspec.Spec{{Name: "a", URL: "http://h/x", Headers: []fetchspec.Header{{Name: "K", Value: "V"}}, Archive: "none"}}
	if err != nil || dir != "/out" || !cmp.Equal(specs, want) {
		t.Errorf("parseFetch = %q, %+v, %v", dir, specs, err)
	}
	for _, args := range [][]string{nil, {"a", "b"}} {
		if _, _, err := parseFetch(args, func(string) string { return "[]" }); err == nil {
			t.Errorf("parseFetch(%q) took it", args)
		}
	}
	if _, _, err := parseFetch([]string{"/out"}, func(string) string { return "" }); err == nil {
		t.Error("parseFetch took an empty list variable")
	}
}
