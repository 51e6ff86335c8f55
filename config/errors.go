package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gymkit/gym/internal/suggest"
)

// MissingError reports values that must be set before they can be used:
// values marked ??? and keys that an interpolation refers to but no file,
// env.yaml or override defines (such as ${policy_base_url}).
type MissingError struct {
	// Keys are the dotted paths of the values to set, in the order found.
	Keys []string

	info map[string]missingInfo
}

type missingInfo struct {
	marked  bool   // the key is in the config, as ???
	usedBy  string // the value whose interpolation needs the key
	suggest string // an existing key with a similar name
}

func missing(key string, info missingInfo) *MissingError {
	return &MissingError{Keys: []string{key}, info: map[string]missingInfo{key: info}}
}

func (e *MissingError) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	if len(e.Keys) != 1 {
		fmt.Fprintf(&b, "%d values are not set: ", len(e.Keys))
	}
	marked := 0
	for i, k := range e.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		info := e.info[k]
		var notes []string
		if info.marked {
			marked++
			if len(e.Keys) == 1 {
				notes = append(notes, "is ???, a value that must be set")
			} else {
				notes = append(notes, "???")
			}
		} else if len(e.Keys) == 1 {
			notes = append(notes, "is not set")
		}
		if info.usedBy != "" {
			notes = append(notes, "used by "+info.usedBy)
		}
		if info.suggest != "" {
			notes = append(notes, fmt.Sprintf("did you mean %s?", info.suggest))
		}
		switch {
		case len(notes) == 0:
		case len(e.Keys) == 1:
			b.WriteString(" " + notes[0])
			if len(notes) > 1 {
				b.WriteString(" (" + strings.Join(notes[1:], "; ") + ")")
			}
		default:
			b.WriteString(" (" + strings.Join(notes, "; ") + ")")
		}
	}
	// key=value replaces a ??? that is in the config; +key=value adds a key
	// that is not; ++key=value does either.
	prefix := "++"
	switch marked {
	case 0:
		prefix = "+"
	case len(e.Keys):
		prefix = ""
	}
	if len(e.Keys) == 1 {
		fmt.Fprintf(&b, "; set it in env.yaml or on the command line with %s%s=...", prefix, e.Keys[0])
	} else {
		fmt.Fprintf(&b, "; set them in env.yaml or on the command line with %skey=value", prefix)
	}
	return b.String()
}

// add merges the keys of o into e, keeping the first note for each key.
func (e *MissingError) add(o *MissingError) {
	for _, k := range o.Keys {
		if _, ok := e.info[k]; ok {
			continue
		}
		e.Keys = append(e.Keys, k)
		e.info[k] = o.info[k]
	}
}

// combine joins errors into one: every *MissingError among them (however
// deeply joined) becomes a single *MissingError listing all keys, followed by
// the other errors without duplicates. It returns nil if errs has none.
func combine(errs ...error) error {
	var miss *MissingError
	var others []error
	seen := map[string]bool{}
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *MissingError:
			if miss == nil {
				miss = &MissingError{info: map[string]missingInfo{}}
			}
			miss.add(e)
		case interface{ Unwrap() []error }:
			for _, err := range e.Unwrap() {
				walk(err)
			}
		default:
			if msg := err.Error(); !seen[msg] {
				seen[msg] = true
				others = append(others, err)
			}
		}
	}
	for _, err := range errs {
		walk(err)
	}
	if miss != nil {
		others = append([]error{miss}, others...)
	}
	switch len(others) {
	case 0:
		return nil
	case 1:
		return others[0]
	}
	return errors.Join(others...)
}

// RefError reports a {type, name} reference to a server that is not defined.
type RefError struct {
	// Path is the dotted path of the reference's name, such as
	// "my_agent.responses_api_agents.simple_agent.resources_server.name".
	Path string
	// Ref is the reference as written.
	Ref Ref
	// Defined lists the servers of kind Ref.Type that are defined.
	Defined []string
}

func (e *RefError) Error() string {
	msg := fmt.Sprintf("config: %s: %s %q is not defined", e.Path, e.Ref.Type, e.Ref.Name)
	if s, ok := suggest.Closest(e.Ref.Name, e.Defined); ok {
		return fmt.Sprintf("%s (did you mean %q?)", msg, s)
	}
	if len(e.Defined) == 0 {
		return fmt.Sprintf("%s: no %s server is defined; load a config that defines %q (add it to config_paths)", msg, e.Ref.Type, e.Ref.Name)
	}
	return fmt.Sprintf("%s (defined %s: %s)", msg, e.Ref.Type, strings.Join(e.Defined, ", "))
}
