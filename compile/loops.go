package compile

import (
	"encoding/json"
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/util/intstr"

	wfv1 "github.com/kubectl-wf/kubectl-wf/api/v1alpha1"
)

// LoopItems expands withItems, withParam (already resolved to its JSON
// text) or withSequence into the list of items, as Argo does.
func LoopItems(items []wfv1.Item, param string, seq *wfv1.Sequence) ([]wfv1.Item, error) {
	switch {
	case items != nil:
		return items, nil
	case param != "":
		var list []json.RawMessage
		if err := json.Unmarshal([]byte(param), &list); err != nil {
			return nil, fmt.Errorf("withParam value %q is not a JSON list: %w", truncate(param, 80), err)
		}
		out := make([]wfv1.Item, len(list))
		for i, raw := range list {
			out[i] = wfv1.ItemFromJSON(raw)
		}
		return out, nil
	case seq != nil:
		return sequenceItems(seq)
	}
	return nil, nil
}

// sequenceItems counts from start to end (down when start > end), or count
// numbers from start, each formatted with format (default %d).
func sequenceItems(seq *wfv1.Sequence) ([]wfv1.Item, error) {
	start, err := optionalInt(seq.Start, 0)
	if err != nil {
		return nil, fmt.Errorf("withSequence.start: %w", err)
	}
	var values []int
	switch {
	case seq.Count != nil && seq.End != nil:
		return nil, fmt.Errorf("withSequence takes count or end, not both")
	case seq.Count != nil:
		count, err := intOrStringValue(*seq.Count)
		if err != nil {
			return nil, fmt.Errorf("withSequence.count: %w", err)
		}
		if count < 0 {
			return nil, fmt.Errorf("withSequence.count %d is negative", count)
		}
		for i := range count {
			values = append(values, start+i)
		}
	case seq.End != nil:
		end, err := intOrStringValue(*seq.End)
		if err != nil {
			return nil, fmt.Errorf("withSequence.end: %w", err)
		}
		step := 1
		if start > end {
			step = -1
		}
		for i := start; ; i += step {
			values = append(values, i)
			if i == end {
				break
			}
		}
	default:
		return nil, fmt.Errorf("withSequence needs count or end")
	}
	out := make([]wfv1.Item, len(values))
	for i, n := range values {
		s := strconv.Itoa(n)
		if seq.Format != "" {
			s = fmt.Sprintf(seq.Format, n)
		}
		b, _ := json.Marshal(s)
		out[i] = wfv1.ItemFromJSON(b)
	}
	return out, nil
}

func optionalInt(v *intstr.IntOrString, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	return intOrStringValue(*v)
}

// ItemVars are the `item` variables of one loop iteration.
func ItemVars(item wfv1.Item) Vars {
	v := Vars{"item": item.String()}
	for k, x := range item.Fields() {
		v["item."+k] = x
	}
	return v
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
