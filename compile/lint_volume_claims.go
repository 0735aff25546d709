package compile

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// lintVolumeClaims checks spec.volumeClaimTemplates and volumeClaimGC
// before anything runs: Argo finds a claim without a name, or an unknown
// strategy, only once the workflow is running.
func (l *linter) lintVolumeClaims() {
	spec := &l.doc.Spec
	for i, t := range spec.VolumeClaimTemplates {
		path := fmt.Sprintf("spec.volumeClaimTemplates[%d]", i)
		switch {
		case t.Name == "":
			l.errorf(path, "volumeClaimTemplates[%d].metadata.name is required", i)
		case strings.Contains(t.Name, "{{"):
			// resolved at submit from the workflow's variables
		case len(validation.IsDNS1123Label(t.Name)) > 0:
			l.errorf(path+".metadata.name", "volume claim name %q must be at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit: pods mount it as a volume of that name", t.Name)
		}
	}
	if gc := spec.VolumeClaimGC; gc != nil {
		switch gc.Strategy {
		case "", VolumeClaimGCOnSuccess, VolumeClaimGCOnCompletion:
		default:
			l.errorf("spec.volumeClaimGC.strategy", "unknown volumeClaimGC strategy %q: use %s (the default) or %s", gc.Strategy, VolumeClaimGCOnSuccess, VolumeClaimGCOnCompletion)
		}
	}
}
