package cli

import (
	"fmt"
	"os"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"
)

// parameterFlags are argo's -p and --parameter-file.
type parameterFlags struct {
	Values []string
	File   string
}

// parse returns the parameters, the file's first and -p values on top.
func (f *parameterFlags) parse() (map[string]string, error) {
	out := map[string]string{}
	if f.File != "" {
		data, err := os.ReadFile(f.File)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := sigsyaml.Unmarshal(data, &m); err != nil {
			return nil, usageErrorf("--parameter-file %s: want a YAML or JSON map of name: value: %v", f.File, err)
		}
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
				continue
			}
			b, err := sigsyaml.Marshal(v)
			if err != nil {
				return nil, err
			}
			out[k] = strings.TrimSuffix(string(b), "\n")
		}
	}
	for _, kv := range f.Values {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, usageErrorf("-p %q: want NAME=VALUE", kv)
		}
		out[name] = value
	}
	return out, nil
}

func (f *parameterFlags) String() string { return fmt.Sprint(f.Values) }
