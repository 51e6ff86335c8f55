package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gymkit/gym/internal/suggest"
)

// Config is a loaded configuration: the merged YAML tree and the server
// instances in it. Interpolations and ??? are resolved when a value is read
// (see the package documentation). A Config is safe for concurrent use.
type Config struct {
	root    *object
	env     func(string) (string, bool)
	servers []Server
}

// Get returns the resolved value at a dotted key ("head_server.port",
// "a.list[0]"; "" is the whole config) as a map[string]any, []any or scalar.
// A key that is not set, or is ???, gives a *MissingError.
func (c *Config) Get(key string) (any, error) {
	p, err := splitKey(key)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c.get(p)
}

// Decode resolves the value at a dotted key and decodes it into v, as
// yaml.Node.Decode does: v may be a pointer to a struct with yaml tags, a
// map, a slice or a scalar. A value read from the environment decodes into a
// bool or number field the way the same text in a YAML file would.
func (c *Config) Decode(key string, v any) error {
	p, err := splitKey(key)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return c.decode(p, v)
}

// String returns the value at key decoded as a string (numbers and bools as
// written; null as "").
func (c *Config) String(key string) (string, error) { return decodeAs[string](c, key) }

// Int returns the value at key decoded as an int.
func (c *Config) Int(key string) (int, error) { return decodeAs[int](c, key) }

// Bool returns the value at key decoded as a bool.
func (c *Config) Bool(key string) (bool, error) { return decodeAs[bool](c, key) }

func decodeAs[T any](c *Config, key string) (T, error) {
	var v T
	err := c.Decode(key, &v)
	return v, err
}

// Servers returns the server instances in the order they appear.
func (c *Config) Servers() []Server { return slices.Clone(c.servers) }

// Server returns the server instance called name.
func (c *Config) Server(name string) (Server, error) {
	names := make([]string, len(c.servers))
	for i, s := range c.servers {
		if s.Name == name {
			return s, nil
		}
		names[i] = s.Name
	}
	if s, ok := suggest.Closest(name, names); ok {
		return Server{}, fmt.Errorf("config: server %q is not defined (did you mean %q?)", name, s)
	}
	return Server{}, fmt.Errorf("config: server %q is not defined (defined: %s)", name, strings.Join(names, ", "))
}

// Globals returns the top-level keys that are not server instances, such as
// config_paths, policy_base_url and head_server, in order.
func (c *Config) Globals() []string {
	var keys []string
	for _, k := range c.rootObject().keys {
		if !slices.ContainsFunc(c.servers, func(s Server) bool { return s.Name == k }) {
			keys = append(keys, k)
		}
	}
	return keys
}

// Validate resolves the whole config and reports every problem: all values
// that are not set in one *MissingError, joined with any other errors
// (interpolation cycles, unsupported resolvers, unset environment variables).
func (c *Config) Validate() error {
	_, err := c.resolver(false).tree(nil, c.rootObject())
	return err
}

// YAML returns the merged config with every interpolation that can be
// resolved replaced by its value. A value that cannot be resolved yet (???,
// or an interpolation of a key that is not set) is written as it is, so the
// output is valid input for Load and OmegaConf; call Validate first to make
// sure there is none.
func (c *Config) YAML() ([]byte, error) {
	v, _ := c.resolver(true).tree(nil, c.rootObject())
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(toNode(v, false)); err != nil {
		return nil, fmt.Errorf("config: encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: encode YAML: %w", err)
	}
	return buf.Bytes(), nil
}

func (c *Config) rootObject() *object {
	if c == nil || c.root == nil {
		return newObject()
	}
	return c.root
}

func (c *Config) resolver(lenient bool) *resolver {
	env := os.LookupEnv
	if c != nil && c.env != nil {
		env = c.env
	}
	return &resolver{root: c.rootObject(), env: env, lenient: lenient}
}

// raw returns the value at p as written, or nil if there is none.
func (c *Config) raw(p []string) any {
	v := any(c.rootObject())
	for _, seg := range p {
		v, _ = child(v, seg)
	}
	return v
}

func (c *Config) get(p []string) (any, error) {
	v, err := c.resolver(false).lookup(p, "")
	if err != nil {
		return nil, err
	}
	return plain(v), nil
}

func (c *Config) decode(p []string, v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("config: Decode needs a non-nil pointer, got %T", v)
	}
	val, err := c.resolver(false).lookup(p, "")
	if err != nil {
		return err
	}
	if err := toNode(val, true).Decode(v); err != nil {
		where := pathString(p)
		if where == "" {
			where = "the config"
		}
		return fmt.Errorf("config: decode %s: %w", where, withoutLine0(err))
	}
	return nil
}

// withoutLine0 drops the "line 0: " yaml.v3 puts before errors about nodes
// that were not read from a file.
func withoutLine0(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = strings.TrimPrefix(m, "line 0: ")
	}
	return &yaml.TypeError{Errors: msgs}
}
