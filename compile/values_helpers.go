package compile

import (
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// intOrStringValue reads an int-or-string field whose string form holds a
// number once its tags are resolved (as `activeDeadlineSeconds: "{{…}}"`).
func intOrStringValue(v intstr.IntOrString) (int, error) {
	if v.Type == intstr.Int {
		return int(v.IntVal), nil
	}
	n, err := strconv.Atoi(v.StrVal)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", v.StrVal)
	}
	return n, nil
}
