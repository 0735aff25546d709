package executor

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// logLine is rec as emit prints it.
func logLine(t testing.TB, rec Record) string {
	t.Helper()
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return LogPrefix + string(data) + "\n"
}

func TestParseLog(t *testing.T) {
	file := Record{Name: "f", Path: "/tmp/f", Files: []File{{Mode: 0o644, Data: []byte("hi\n")}}}
	dir := Record{Name: "d", Path: "/out", Dir: true, Files: []File{
		{Path: "a", Mode: 0o600, Data: []byte{0, 1, 2}}, {Path: "b/c", Mode: 0o755, Data: []byte{}},
	}}
	failed := Record{Name: "e", Path: "/nope", Error: "open /nope: no such file or directory"}
	large := Record{Name: "l", Path: "/l", Files: []File{{Mode: 0o644, Data: bytes.Repeat([]byte{0xff}, MaxBytes)}}}
	tests := []struct {
		name    string
		log     string
		want    []Record
		wantErr string // a part of the error; "" for none
	}{
		{name: "empty", log: ""},
		{name: "noise only", log: "starting\nkubectl-wf-artifact\n  kubectl-wf-artifact {}\n"},
		{
			name: "records among noise",
			log:  "hello\n" + logLine(t, file) + "noise kubectl-wf-artifact x\n" + logLine(t, dir) + logLine(t, failed) + "bye\n",
			want: []Record{file, dir, failed},
		},
		{name: "last line without newline", log: strings.TrimSuffix(logLine(t, file), "\n"), want: []Record{file}},
		{name: "carriage return", log: strings.TrimSuffix(logLine(t, file), "\n") + "\r\n", want: []Record{file}},
		{name: "a long record", log: "x\n" + logLine(t, large) + "y\n", want: []Record{large}},
		{name: "a long noise line", log: strings.Repeat("z", 300<<10) + "\n" + logLine(t, file), want: []Record{file}},
		{name: "malformed JSON", log: "x\n" + LogPrefix + `{"name":"a"` + "\n", wantErr: "log line 2: malformed artifact record"},
		{name: "trailing garbage", log: LogPrefix + `{"name":"a","files":[{"path":"","mode":420,"data":""}]} x` + "\n", wantErr: "log line 1: malformed"},
		{name: "prefix alone", log: LogPrefix + "\n", wantErr: "malformed"},
		{name: "no name", log: LogPrefix + `{"path":"/x","error":"e"}` + "\n", wantErr: "record has no name"},
		{name: "null", log: LogPrefix + "null\n", wantErr: "record has no name"},
		{name: "error and files", log: logLine(t, Record{Name: "a", Error: "e", Files: file.Files}), wantErr: "has an error and files"},
		{name: "file artifact without a file", log: logLine(t, Record{Name: "a", Path: "/a"}), wantErr: "has 0 files, not 1"},
		{name: "file artifact with a path", log: logLine(t, Record{Name: "a", Files: []File{{Path: "x"}}}), wantErr: `has a file path "x"`},
		{name: "path out of the root", log: logLine(t, Record{Name: "a", Dir: true, Files: []File{{Path: "../x"}}}), wantErr: `invalid file path "../x"`},
		{name: "absolute path", log: logLine(t, Record{Name: "a", Dir: true, Files: []File{{Path: "/x"}}}), wantErr: `invalid file path "/x"`},
		{name: "dot path", log: logLine(t, Record{Name: "a", Dir: true, Files: []File{{Path: "."}}}), wantErr: `invalid file path "."`},
		{name: "file twice", log: logLine(t, Record{Name: "a", Dir: true, Files: []File{{Path: "x"}, {Path: "x"}}}), wantErr: `file "x" twice`},
		{name: "mode beyond permissions", log: logLine(t, Record{Name: "a", Files: []File{{Mode: 0o4755}}}), wantErr: "beyond the permission bits"},
		{name: "a record line too long", log: LogPrefix + `{"name":"` + strings.Repeat("n", maxLine+1) + `"}` + "\n", wantErr: "record longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLog(strings.NewReader(tt.log))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseLog error = %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLog: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, recordsEqual); diff != "" {
				t.Errorf("ParseLog (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseLog: ParseLog reads what pods print, so any input must give
// records or an error, never a panic, and the records it accepts must
// print and parse back the same.
func FuzzParseLog(f *testing.F) {
	f.Add("hello\n" + logLine(f, Record{Name: "f", Path: "/f", Files: []File{{Mode: 0o644, Data: []byte("hi")}}}))
	f.Add(logLine(f, Record{Name: "d", Path: "/d", Dir: true, Files: []File{{Path: "a/b", Mode: 0o600, Data: []byte{0}}}}))
	f.Add(logLine(f, Record{Name: "e", Path: "/e", Error: "open /e: no such file or directory"}))
	f.Add(LogPrefix + `{"name":"a"` + "\n")
	f.Add(LogPrefix + "null\nx")
	f.Fuzz(func(t *testing.T, log string) {
		recs, err := ParseLog(strings.NewReader(log))
		if err != nil {
			return
		}
		var again strings.Builder
		for _, rec := range recs {
			if err := rec.validate(); err != nil {
				t.Fatalf("ParseLog accepted an invalid record: %v", err)
			}
			again.WriteString(logLine(t, rec))
		}
		back, err := ParseLog(strings.NewReader(again.String()))
		if err != nil {
			t.Fatalf("ParseLog of its own records: %v", err)
		}
		if diff := cmp.Diff(recs, back, recordsEqual); diff != "" {
			t.Fatalf("records printed and parsed back (-first +second):\n%s", diff)
		}
	})
}
