package config

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
)

// Kind is the kind of a server instance: the key under its name.
type Kind string

// The kinds of server instances.
const (
	Models    Kind = "responses_api_models"
	Resources Kind = "resources_servers"
	Agents    Kind = "responses_api_agents"
)

var kinds = []Kind{Models, Resources, Agents}

// Server is a server instance: a top-level key of the form
//
//	<Name>:
//	  <Kind>:
//	    <Impl>:
//	      <fields>
//
// Its fields are resolved when they are read, by Get, Decode, Ref and URL.
type Server struct {
	Name string
	Kind Kind
	// Impl is the implementation, such as "simple_agent" or "vllm_model".
	Impl string

	cfg *Config
}

// Ref is a reference from one server's fields to another server, written
// {type: <kind>, name: <instance>}. Use it as a field type with Decode.
type Ref struct {
	Type Kind   `yaml:"type" json:"type"`
	Name string `yaml:"name" json:"name"`
}

// Path returns the dotted path of the server's fields, "Name.Kind.Impl".
func (s Server) Path() string { return pathString(s.path()) }

func (s Server) path() []string { return []string{s.Name, string(s.Kind), s.Impl} }

// Get returns the resolved value of a field; field may be dotted
// ("resources_server.name").
func (s Server) Get(field string) (any, error) {
	if s.cfg == nil {
		return nil, fmt.Errorf("config: server %q does not belong to a Config", s.Name)
	}
	p, err := splitKey(field)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", s.Path(), err)
	}
	return s.cfg.get(sub(s.path(), p...))
}

// Decode resolves the server's fields and decodes them into v, a pointer to
// a struct with yaml tags or a map. Every value the fields need that is not
// set is reported in one *MissingError.
func (s Server) Decode(v any) error {
	if s.cfg == nil {
		return fmt.Errorf("config: server %q does not belong to a Config", s.Name)
	}
	return s.cfg.decode(s.path(), v)
}

// Ref reads the {type, name} reference in field, such as "resources_server".
func (s Server) Ref(field string) (Ref, error) {
	v, err := s.Get(field)
	if err != nil {
		return Ref{}, err
	}
	m, _ := v.(map[string]any)
	typ, _ := m["type"].(string)
	name, _ := m["name"].(string)
	if !slices.Contains(kinds, Kind(typ)) || name == "" {
		return Ref{}, fmt.Errorf("config: %s.%s is not a server reference: want {type: %s|%s|%s, name: <instance>}",
			s.Path(), field, Models, Resources, Agents)
	}
	return Ref{Type: Kind(typ), Name: name}, nil
}

// URL returns the base URL of a server that runs elsewhere: its url field,
// or http://host:port when it has host and port (as every server in a NeMo
// Gym head server's config does). It returns "" and no error when the
// server names neither, that is, when it is to be run in this process.
func (s Server) URL() (string, error) {
	if s.cfg == nil {
		return "", fmt.Errorf("config: server %q does not belong to a Config", s.Name)
	}
	fields, _ := s.cfg.raw(s.path()).(*object)
	if _, ok := fields.get("url"); ok {
		v, err := s.Get("url")
		if err != nil {
			return "", err
		}
		if v == nil {
			return "", nil
		}
		u, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("config: %s.url is %s, not a string", s.Path(), describe(v))
		}
		return u, nil
	}
	_, hasHost := fields.get("host")
	_, hasPort := fields.get("port")
	if !hasHost || !hasPort {
		return "", nil
	}
	host, err := s.Get("host")
	if err != nil {
		return "", err
	}
	port, err := s.Get("port")
	if err != nil {
		return "", err
	}
	if host == nil || port == nil {
		return "", nil
	}
	h, errH := format(host)
	p, errP := format(port)
	if err := errors.Join(errH, errP); err != nil {
		return "", fmt.Errorf("config: %s: host and port must be scalars: %w", s.Path(), err)
	}
	return "http://" + net.JoinHostPort(h, p), nil
}

// findServers finds the server instances among the top-level keys. A
// mapping with a kind key that is not exactly {kind: {impl: {fields}}} is an
// error rather than a global, since it is almost certainly a mistake.
func findServers(root *object) ([]Server, error) {
	var servers []Server
	var errs []error
	for _, name := range root.keys {
		m, ok := root.vals[name].(*object)
		if !ok || !slices.ContainsFunc(m.keys, func(k string) bool { return slices.Contains(kinds, Kind(k)) }) {
			continue
		}
		if len(m.keys) != 1 {
			errs = append(errs, fmt.Errorf("config: %s: a server instance has exactly one key, its kind, but this one has %s; move the other keys under %s.<kind>.<implementation>",
				name, strings.Join(m.keys, ", "), name))
			continue
		}
		kind := m.keys[0]
		impls, ok := m.vals[kind].(*object)
		if !ok || len(impls.keys) != 1 {
			got := describe(m.vals[kind])
			if ok {
				got = fmt.Sprintf("%d implementations (%s)", len(impls.keys), strings.Join(impls.keys, ", "))
			}
			errs = append(errs, fmt.Errorf("config: %s.%s: want exactly one implementation mapped to its fields (such as simple_agent: {...}), got %s", name, kind, got))
			continue
		}
		impl := impls.keys[0]
		switch impls.vals[impl].(type) {
		case *object, nil:
		default:
			errs = append(errs, fmt.Errorf("config: %s.%s.%s: the fields of a server are a mapping, got %s", name, kind, impl, describe(impls.vals[impl])))
			continue
		}
		servers = append(servers, Server{Name: name, Kind: Kind(kind), Impl: impl})
	}
	return servers, errors.Join(errs...)
}

// checkRefs checks that every {type, name} reference in the servers' fields
// names a server of that kind. A name that is ??? or refers to a value that
// is not set is left for Validate and Decode to report as missing. A
// reference to a server of an unneeded kind may name no server.
func (c *Config) checkRefs(unneeded []Kind) error {
	defined := map[Kind][]string{}
	for _, s := range c.servers {
		defined[s.Kind] = append(defined[s.Kind], s.Name)
	}
	r := c.resolver(false)
	var errs []error
	var walk func(p []string, v any)
	walk = func(p []string, v any) {
		switch v := v.(type) {
		case []any:
			for i, e := range v {
				walk(sub(p, fmt.Sprintf("[%d]", i)), e)
			}
		case *object:
			if ref, err := refAt(r, p, v); err != nil {
				errs = append(errs, err)
			} else if ref != nil && !slices.Contains(defined[ref.Type], ref.Name) && !slices.Contains(unneeded, ref.Type) {
				errs = append(errs, &RefError{Path: pathString(sub(p, "name")), Ref: *ref, Defined: defined[ref.Type]})
			}
			for _, k := range v.keys {
				walk(sub(p, k), v.vals[k])
			}
		}
	}
	for _, s := range c.servers {
		walk(s.path(), c.raw(s.path()))
	}
	return errors.Join(errs...)
}

// refAt returns the reference the mapping o at path p is, or nil if it is
// not one or its name is not set.
func refAt(r *resolver, p []string, o *object) (*Ref, error) {
	rawType, ok := o.get("type")
	rawName, hasName := o.get("name")
	if !ok || !hasName {
		return nil, nil
	}
	typ, err := r.tree(sub(p, "type"), rawType)
	if err != nil {
		return nil, nil // not a reference we can recognise; Decode reports why
	}
	if s, ok := typ.(string); !ok || !slices.Contains(kinds, Kind(s)) {
		return nil, nil
	}
	name, err := r.tree(sub(p, "name"), rawName)
	if err != nil {
		var m *MissingError
		if errors.As(err, &m) {
			return nil, nil
		}
		return nil, err
	}
	s, err := format(name)
	if err != nil {
		return nil, fmt.Errorf("config: %s: a server name must be a string, got %s", pathString(sub(p, "name")), describe(name))
	}
	return &Ref{Type: Kind(typ.(string)), Name: s}, nil
}
