package watch

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-wf/kubectl-wf/compile"
	"github.com/kubectl-wf/kubectl-wf/executor"
)

// TestLastBytes: the last n bytes of any reader, and how many came
// before, however the reader splits what it gives.
func TestLastBytes(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 50_000) // 500 kB: many compactions of a small n
	tests := []struct {
		name        string
		in          []byte
		n           int
		want        []byte
		wantDropped int64
	}{
		{"empty", nil, 10, []byte{}, 0},
		{"fits", []byte("hello\n"), 10, []byte("hello\n"), 0},
		{"exactly", []byte("hello\n"), 6, []byte("hello\n"), 0},
		{"tail", []byte("hello\nworld\n"), 6, []byte("world\n"), 6},
		{"no room", []byte("hello\n"), 0, []byte{}, 6},
		{"long, small n", big, 7, big[len(big)-7:], int64(len(big) - 7)},
		{"long, n past a chunk", big, 100_000, big[len(big)-100_000:], int64(len(big) - 100_000)},
		{"long, fits", big, len(big), big, 0},
	}
	readers := map[string]func([]byte) io.Reader{
		"whole":    func(b []byte) io.Reader { return bytes.NewReader(b) },
		"halves":   func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
		"data+EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
	}
	for _, tt := range tests {
		for rname, reader := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				got, dropped, err := lastBytes(reader(tt.in), tt.n)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, tt.want) || dropped != tt.wantDropped {
					t.Errorf("got %d bytes (…%q), dropped %d; want %d bytes (…%q), dropped %d",
						len(got), tail(got), dropped, len(tt.want), tail(tt.want), tt.wantDropped)
				}
			})
		}
	}
	if _, _, err := lastBytes(iotest.TimeoutReader(strings.NewReader("x")), 10); !errors.Is(err, iotest.ErrTimeout) {
		t.Errorf("a failing read gives %v, want its error", err)
	}
}

func tail(b []byte) []byte { return b[max(0, len(b)-8):] }

// TestArchiveLogsShareTheRoom: the logs share the room left equally; one
// that needs less leaves the rest to those after it; one that does not
// fit keeps its last bytes.
func TestArchiveLogsShareTheRoom(t *testing.T) {
	tests := []struct {
		name       string
		logs       map[string]string
		containers []string
		room       int
		want       []archivedLog
	}{{
		name: "all fit", logs: map[string]string{"main": "hello\n"}, containers: []string{"main"}, room: 100,
		want: []archivedLog{{container: "main", data: []byte("hello\n")}},
	}, {
		name: "one too long", logs: map[string]string{"main": "0123456789"}, containers: []string{"main"}, room: 4,
		want: []archivedLog{{container: "main", data: []byte("6789"), dropped: 6}},
	}, {
		name: "a short log leaves its share to the next", logs: map[string]string{"a": "ab", "b": "0123456789"}, containers: []string{"a", "b"}, room: 10,
		want: []archivedLog{{container: "a", data: []byte("ab")}, {container: "b", data: []byte("23456789"), dropped: 2}},
	}, {
		name: "two long logs halve the room", logs: map[string]string{"a": "abcdefgh", "b": "0123456789"}, containers: []string{"a", "b"}, room: 6,
		want: []archivedLog{{container: "a", data: []byte("fgh"), dropped: 5}, {container: "b", data: []byte("789"), dropped: 7}},
	}, {
		name: "no room left by the artifacts", logs: map[string]string{"main": "hello\n"}, containers: []string{"main"}, room: -5,
		want: []archivedLog{{container: "main", data: []byte{}, dropped: 6}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := archiveLogs(tt.containers, tt.room, func(c string) (io.ReadCloser, error) {
				return io.NopCloser(strings.NewReader(tt.logs[c])), nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, cmp.AllowUnexported(archivedLog{})); d != "" {
				t.Errorf("logs (-want +got):\n%s", d)
			}
		})
	}
}

// TestArtifactsConfigMapWithLogs: the executor's artifacts and the
// archived logs share one ConfigMap; each log is the file artifact
// CONTAINER-logs, after the artifacts; the bytes a log dropped are noted
// on the ConfigMap.
func TestArtifactsConfigMapWithLogs(t *testing.T) {
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "wf-gen-1", Namespace: "ns", UID: "job-uid",
		Labels: map[string]string{compile.LabelWorkflow: "wf", compile.LabelNode: "1"}}}
	file := executor.Record{Name: "file", Path: "/tmp/f", Files: []executor.File{{Mode: 0o644, Data: []byte("hello\n")}}}
	cmName := ArtifactsConfigMapName(job.Name)
	mainLogs := compile.StoredArtifact{Name: "main-logs", ConfigMap: cmName, Files: []compile.StoredFile{{Key: "main-logs.0", Mode: 0o644}}}
	tests := []struct {
		name        string
		records     []executor.Record
		logs        []archivedLog
		wantStored  []compile.StoredArtifact
		wantData    map[string][]byte
		annotations map[string]string
	}{{
		name:       "log alone",
		logs:       []archivedLog{{container: "main", data: []byte("hello world\n")}},
		wantStored: []compile.StoredArtifact{mainLogs},
		wantData:   map[string][]byte{"main-logs.0": []byte("hello world\n")},
	}, {
		name:    "artifacts and a log",
		records: []executor.Record{file},
		logs:    []archivedLog{{container: "main", data: []byte("out\n")}},
		wantStored: []compile.StoredArtifact{
			{Name: "file", Path: "/tmp/f", ConfigMap: cmName, Files: []compile.StoredFile{{Key: "file.0", Mode: 0o644}}},
			mainLogs,
		},
		wantData: map[string][]byte{"file.0": []byte("hello\n"), "main-logs.0": []byte("out\n")},
	}, {
		name: "a container set's logs, one cut short",
		logs: []archivedLog{{container: "a", data: []byte("a\n")}, {container: "b", data: []byte("end\n"), dropped: 12}},
		wantStored: []compile.StoredArtifact{
			{Name: "a-logs", ConfigMap: cmName, Files: []compile.StoredFile{{Key: "a-logs.0", Mode: 0o644}}},
			{Name: "b-logs", ConfigMap: cmName, Files: []compile.StoredFile{{Key: "b-logs.0", Mode: 0o644}}},
		},
		wantData:    map[string][]byte{"a-logs.0": []byte("a\n"), "b-logs.0": []byte("end\n")},
		annotations: map[string]string{AnnotationDroppedLogBytes: "b-logs=12"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cm, stored, failures := artifactsConfigMap(job, tt.records, tt.logs)
			if d := cmp.Diff(tt.wantStored, stored); d != "" {
				t.Errorf("stored artifacts (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantData, cm.BinaryData); d != "" {
				t.Errorf("ConfigMap data (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.annotations, cm.Annotations); d != "" {
				t.Errorf("ConfigMap annotations (-want +got):\n%s", d)
			}
			if failures != nil {
				t.Errorf("failures %v", failures)
			}
		})
	}
}

// TestArchivedLogContainers: the containers the Job names whose logs
// exist, having started.
func TestArchivedLogContainers(t *testing.T) {
	ended := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}
	waiting := corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}
	pod := &corev1.Pod{Status: corev1.PodStatus{
		InitContainerStatuses: []corev1.ContainerStatus{{Name: "a", State: ended}, {Name: compile.ArtifactsContainerName, State: ended}},
		ContainerStatuses:     []corev1.ContainerStatus{{Name: "main", State: ended}, {Name: "b", State: waiting}},
	}}
	tests := []struct {
		name       string
		annotation string
		pod        *corev1.Pod
		want       []string
	}{
		{"none archived", "", pod, nil},
		{"main", "main", pod, []string{"main"}},
		{"a set: the one that never started has no log", "a,b", pod, []string{"a"}},
		{"no pod", "main", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{}}}
			if tt.annotation != "" {
				job.Annotations[compile.AnnotationArchiveLogs] = tt.annotation
			}
			if d := cmp.Diff(tt.want, archivedLogContainers(job, tt.pod)); d != "" {
				t.Errorf("containers (-want +got):\n%s", d)
			}
		})
	}
}
