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
		raw, err := json.Marshal(v.Interface())
		if err != nil {
			return err
		}
		e.b = append(e.b, Format(raw)...)
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
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("pyjson: unsupported map key type %s", t.Key())
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		e.b = append(e.b, '{')
		for i, k := range keys {
			if i > 0 {
				e.b = append(e.b, ", "...)
			}
			e.b = appendString(e.b, k.String())
			e.b = append(e.b, ": "...)
			if err := e.value(v.MapIndex(k)); err != nil {
				return err
			}
		}
		e.b = append(e.b, '}')
	case reflect.Struct:
		e.b = append(e.b, '{')
		n := 0
		for _, f := range fieldsOf(t) {
			fv := v.FieldByIndex(f.index)
			if f.omitEmpty && fv.IsZero() {
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

type field struct {
	name      string
	index     []int
	omitEmpty bool
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
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, field{name: name, index: []int{i}, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	fieldCache.Store(t, fs)
	return fs
}
