package pyjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// AppendFloat appends f as Python's json module writes a float: 1.0 (not
// 1), 0.5, 1e-07, 1e+16; NaN and infinities as NaN, Infinity, -Infinity.
func AppendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.AppendFloat(b, f, 'e', -1, 64) // Go writes e-07 and e+16 as Python does
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	if bytes.IndexByte(b[start:], '.') < 0 {
		b = append(b, '.', '0')
	}
	return b
}

// Marshal encodes v as Python's json.dumps would write the same value:
// encoding/json's rules for what is written (json tags, omitempty,
// Marshaler), with Python's separators, ASCII escaping and float spelling.
func Marshal(v any) ([]byte, error) {
	e := &encoder{}
	if err := e.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.b, nil
}

type encoder struct{ b []byte }

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
)

func (e *encoder) value(v reflect.Value) error {
	if !v.IsValid() {
		e.b = append(e.b, "null"...)
		return nil
	}
	t := v.Type()
	if t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		(v.CanAddr() && (reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType))) {
		if (t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface) && v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		if t.Kind() != reflect.Pointer && v.CanAddr() {
			v = v.Addr() // a pointer method, which encoding/json calls on an addressable value
		}
		raw, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		e.b = append(e.b, Format(raw)...)
		return nil
	}
	if t == numberType {
		// A number kept as its text, which encoding/json writes bare.
		n := v.String()
		if n == "" {
			n = "0"
		}
		if !json.Valid([]byte(n)) || n[0] == '"' || n[0] == '[' || n[0] == '{' {
			return fmt.Errorf("pyjson: invalid number literal %q", n)
		}
		e.b = append(e.b, n...)
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		e.b = strconv.AppendBool(e.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = strconv.AppendInt(e.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.b = strconv.AppendUint(e.b, v.Uint(), 10)
	case reflect.Float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(v.Float(), 'g', -1, 32), 64)
		e.b = AppendFloat(e.b, f)
	case reflect.Float64:
		e.b = AppendFloat(e.b, v.Float())
	case reflect.String:
		e.b = appendString(e.b, v.String())
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		return e.value(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 { // []byte is base64, as encoding/json writes it
			raw, _ := json.Marshal(v.Interface())
			e.b = append(e.b, raw...)
			return nil
		}
		fallthrough
	case reflect.Array:
		e.b = append(e.b, '[')
		for i := range v.Len() {
			if i > 0 {
				e.b = append(e.b, ", "...)
			}
			if err := e.value(v.Index(i)); err != nil {
				return err
			}
		}
		e.b = append(e.b, ']')
	case reflect.Map:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		type entry struct {
			key string
			val reflect.Value
		}
		entries := make([]entry, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k, err := mapKey(it.Key())
			if err != nil {
				return err
			}
			entries = append(entries, entry{k, it.Value()})
		}
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		e.b = append(e.b, '{')
		for i, en := range entries {
			if i > 0 {
				e.b = append(e.b, ", "...)
			}
			e.b = appendString(e.b, en.key)
			e.b = append(e.b, ": "...)
			if err := e.value(en.val); err != nil {
				return err
			}
		}
		e.b = append(e.b, '}')
	case reflect.Struct:
		e.b = append(e.b, '{')
		n := 0
		for _, f := range fieldsOf(t) {
			fv, err := v.FieldByIndexErr(f.index)
			if err != nil {
				continue // a field of a nil embedded pointer: encoding/json skips it
			}
			if f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
				continue
			}
			if n > 0 {
				e.b = append(e.b, ", "...)
			}
			n++
			e.b = appendString(e.b, f.name)
			e.b = append(e.b, ": "...)
			if err := e.value(fv); err != nil {
				return err
			}
		}
		e.b = append(e.b, '}')
	default:
		return fmt.Errorf("pyjson: unsupported type %s", t)
	}
	return nil
}

// mapKey returns the JSON object key of a map key, as encoding/json
// writes it: a string as itself, a TextMarshaler by its text, an integer
// in decimal (Python's json.dumps writes int keys the same way).
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", fmt.Errorf("pyjson: unsupported map key type %s", k.Type())
}

// isEmpty reports whether v is empty as encoding/json's omitempty means
// it: false, 0, a nil pointer or interface, an empty string, array, slice
// or map. A struct is never empty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero reports whether v is zero as encoding/json's omitzero means it:
// its IsZero method if it has one, else the zero value.
func isZero(v reflect.Value) bool {
	type zeroer interface{ IsZero() bool }
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return true
	}
	if z, ok := v.Interface().(zeroer); ok {
		return z.IsZero()
	}
	if v.CanAddr() {
		if z, ok := v.Addr().Interface().(zeroer); ok {
			return z.IsZero()
		}
	}
	return v.IsZero()
}

type field struct {
	name      string
	index     []int
	tagged    bool
	omitEmpty bool
	omitZero  bool
}

var fieldCache sync.Map // reflect.Type → []field

// fieldsOf lists the JSON fields of a struct type as encoding/json does for
// the common cases: json tag names, "-", omitempty, and the fields of
// untagged embedded structs promoted.
func fieldsOf(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" || (!sf.IsExported() && !sf.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for _, inner := range fieldsOf(et) {
					inner.index = append([]int{i}, inner.index...)
					fs = append(fs, inner)
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		tagged := name != ""
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, field{name: name, index: []int{i}, tagged: tagged,
			omitEmpty: strings.Contains(","+opts+",", ",omitempty,"),
			omitZero:  strings.Contains(","+opts+",", ",omitzero,")})
	}
	fs = dominant(fs)
	fieldCache.Store(t, fs)
	return fs
}

// dominant resolves fields of the same name as encoding/json does: the
// shallowest wins; among several equally shallow ones a single tagged one
// wins, and otherwise none is written. The order of the survivors is kept.
func dominant(fs []field) []field {
	out := fs[:0:0]
	for i, f := range fs {
		keep := true
		for j, g := range fs {
			if i == j || g.name != f.name {
				continue
			}
			switch {
			case len(g.index) < len(f.index):
				keep = false
			case len(g.index) == len(f.index) && !(f.tagged && !g.tagged):
				keep = false
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}
