package compile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

func TestSeededDirs(t *testing.T) {
	tests := []struct {
		name    string
		paths   []string
		mounts  []corev1.VolumeMount
		want    []string
		wantErr string
	}{{
		name:  "each artifact's directory, once",
		paths: []string{"/mnt/file", "/tmp/a", "/mnt/other", "/tmp/b/"},
		want:  []string{"/mnt", "/tmp"},
	}, {
		name:  "a directory under another shares it, whichever comes first",
		paths: []string{"/a/b/c/file", "/x/y/f", "/a/file", "/a/b/g", "/x/y/z/h"},
		want:  []string{"/x/y", "/a"},
	}, {
		name:   "artifacts on volumes need none",
		paths:  []string{"/data/out", "/data/sub/out", "/tmp/out"},
		mounts: []corev1.VolumeMount{{Name: "v", MountPath: "/data"}},
		want:   []string{"/tmp"},
	}, {
		name:    "not in /",
		paths:   []string{"/tmp/a", "/file"},
		wantErr: `output artifact "a1": /file is in /, where kubectl-wf cannot mount the emptyDir it saves an artifact of a container with no command from`,
	}, {
		name:    "absolute paths only",
		paths:   []string{"tmp/a"},
		wantErr: `output artifact "a0": path "tmp/a" must be absolute`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := &wfv1.Template{Container: &corev1.Container{Image: "busybox", VolumeMounts: tt.mounts}}
			for i, p := range tt.paths {
				tmpl.Outputs.Artifacts = append(tmpl.Outputs.Artifacts, wfv1.Artifact{Name: "a" + string(rune('0'+i)), Path: p})
			}
			got, err := seededDirs(tmpl)
			if gotErr := errString(err); gotErr != tt.wantErr {
				t.Fatalf("error %q, want %q", gotErr, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("dirs (-want +got):\n%s", d)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
