package env

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"testing"

	"github.com/gymkit/gym/rollout"
)

// FuzzQuickCookie holds quickCookie to the loop it stands in for: the
// first cookie named gym_session, as net/http parses the Cookie lines,
// whose value is its session's. Whenever quickCookie finds a session, the
// full parse finds the same one first.
func FuzzQuickCookie(f *testing.F) {
	h := NewHandler(NewServer(), nil)
	defer h.Close()
	var values []string
	for _, id := range []string{"AAAA", "BBBB"} {
		e := &entry{turn: make(chan struct{}, 1), value: h.sign(id)}
		h.sessions[id] = e
		values = append(values, e.value)
	}
	for _, s := range []string{
		"gym_session=V0", "a=1; gym_session=V1; b=2", `gym_session="V0"`, "gym_session=x; gym_session=V1",
		" gym_session = V0 ", "gym_session=V0\x00", "gym_session=\"V1", "gym_session=V0;gym_session=V1",
		"a=1\ngym_session=V1", "=;;; gym_session=V0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.NewReplacer("V0", values[0], "V1", values[1]).Replace(s)
		r := &http.Request{Header: http.Header{"Cookie": strings.Split(s, "\n")}}
		got := h.quickCookie(r)
		if got == nil {
			return
		}
		h.mu.Lock()
		got.busy--
		h.mu.Unlock()
		var want *entry
		for _, c := range r.CookiesNamed(sessionCookie) {
			id, _, ok := strings.Cut(c.Value, ".")
			if e := h.sessions[id]; ok && e != nil && subtle.ConstantTimeCompare([]byte(e.value), []byte(c.Value)) == 1 {
				want = e
				break
			}
		}
		if got != want {
			t.Fatalf("Cookie %q: quickCookie found the session of %q, net/http's parse %v", s, got.value, want)
		}
	})
}

// FuzzIsObject holds the tool route's check of its arguments to
// rollout.ParseObject, which it stands in for: they accept the same
// bodies.
func FuzzIsObject(f *testing.F) {
	for _, s := range []string{`{}`, ` {"a": 1} `, `{"a":`, `[]`, `null`, "{\"a\": \"\xff\"}", `{"a":1}x`, "\t\n{\"\\u00e9\":[1,{}]}", `{"a" 1}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := rollout.ParseObject(data)
		if got := isObject(data); got != (err == nil) {
			t.Fatalf("%q: isObject %v, ParseObject error %v", data, got, err)
		}
	})
}
