package compile

import (
	"fmt"
	"strings"
)

// ResourceFlags are the kubectl arguments of a resource template that
// kubectl-wf carries out itself. Argo passes `flags` to kubectl; these
// are the ones its examples use.
type ResourceFlags struct {
	// Type and Name name the target on the command line (`pod NAME` or
	// `pod/NAME`), for a patch whose manifest is only the patch.
	Type, Name string
	// Selector deletes (or gets) every object of Type it matches.
	Selector string
	// NoValidate is --validate=false: the server does not reject unknown
	// fields.
	NoValidate bool
}

// ParseResourceFlags reads a resource template's flags, refusing any it
// cannot carry out faithfully.
func ParseResourceFlags(flags []string) (ResourceFlags, error) {
	var f ResourceFlags
	var positional []string
	for i := 0; i < len(flags); i++ {
		arg := flags[i]
		name, value, hasValue := strings.Cut(arg, "=")
		switch {
		case name == "--ignore-not-found" && (!hasValue || value == "true"):
			// kubectl-wf's delete already treats not found as done.
		case name == "--validate" && hasValue && (value == "false" || value == "ignore"):
			f.NoValidate = true
		case name == "--selector" || name == "-l":
			if !hasValue {
				if i+1 == len(flags) {
					return f, fmt.Errorf("resource flag %s needs a value", name)
				}
				i++
				value = flags[i]
			}
			f.Selector = value
		case strings.HasPrefix(arg, "-"):
			return f, fmt.Errorf("resource flag %q is not supported: kubectl-wf supports a target (TYPE NAME or TYPE/NAME), --selector, --ignore-not-found and --validate=false", arg)
		default:
			positional = append(positional, arg)
		}
	}
	switch {
	case len(positional) == 1 && strings.Contains(positional[0], "/"):
		f.Type, f.Name, _ = strings.Cut(positional[0], "/")
	case len(positional) == 1:
		f.Type = positional[0]
	case len(positional) == 2:
		f.Type, f.Name = positional[0], positional[1]
	case len(positional) > 2:
		return f, fmt.Errorf("resource flags name more than one object: %s", strings.Join(positional, " "))
	}
	if f.Selector != "" && f.Name != "" {
		return f, fmt.Errorf("resource flags give both a name and --selector")
	}
	return f, nil
}
