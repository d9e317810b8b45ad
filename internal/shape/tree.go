package shape

import (
	"slices"
	"strings"
)

// Decode's trees differ from the generic form (map[string]any, []any,
// string) in three types, so that the parser can carve values from shared
// chunks instead of allocating each: objects are *object, arrays *[]any,
// strings *string. strOf, arrOf and objectOf accept either form.

// object is a parsed JSON object: its members in body order, keys unique.
// Request objects are small and every lookup is by a model member name, so
// a linear scan over interned keys beats hashing them into a map (and
// building that map) several times per request. Decode's trees hold objects
// as *object; the generic form (map[string]any) appears only where a tree
// leaves the package, and Validate still accepts it.
type object struct {
	kvs []kv
	// index maps keys to positions for objects too large to scan, so a
	// hostile body with many keys costs no more than a map did.
	index map[string]int
}

type kv struct {
	key string
	val any
}

// indexAbove is the member count beyond which an object gets an index.
const indexAbove = 32

// get returns the value of key and whether the object has it.
func (o *object) get(key string) (any, bool) {
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return o.kvs[i].val, true
		}
		return nil, false
	}
	for i := range o.kvs {
		if o.kvs[i].key == key {
			return o.kvs[i].val, true
		}
	}
	return nil, false
}

// set replaces key's value, or adds key.
func (o *object) set(key string, val any) {
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			o.kvs[i].val = val
			return
		}
		o.index[key] = len(o.kvs)
		o.kvs = append(o.kvs, kv{key, val})
		return
	}
	for i := range o.kvs {
		if o.kvs[i].key == key {
			o.kvs[i].val = val
			return
		}
	}
	o.kvs = append(o.kvs, kv{key, val})
}

// remove deletes key if present.
func (o *object) remove(key string) {
	i := -1
	if o.index != nil {
		if j, ok := o.index[key]; ok {
			i = j
		}
	} else {
		for j := range o.kvs {
			if o.kvs[j].key == key {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return
	}
	o.kvs = slices.Delete(o.kvs, i, i+1)
	if o.index != nil {
		o.index = buildIndex(o.kvs)
	}
}

func buildIndex(kvs []kv) map[string]int {
	m := make(map[string]int, len(kvs))
	for i := range kvs {
		m[kvs[i].key] = i
	}
	return m
}

// sorted returns the members sorted by key, as map iteration for errors and
// encoding must not depend on body order.
func (o *object) sorted() []kv {
	if slices.IsSortedFunc(o.kvs, cmpKey) {
		return o.kvs
	}
	s := slices.Clone(o.kvs)
	slices.SortFunc(s, cmpKey)
	return s
}

func cmpKey(a, b kv) int { return strings.Compare(a.key, b.key) }

// objectOf returns x as an object: Decode's trees hold *object, trees given
// to Validate map[string]any.
func objectOf(x any) (*object, bool) {
	switch t := x.(type) {
	case *object:
		return t, true
	case map[string]any:
		o := &object{kvs: make([]kv, 0, len(t))}
		for k, v := range t {
			o.kvs = append(o.kvs, kv{k, v})
		}
		if len(o.kvs) > indexAbove {
			o.index = buildIndex(o.kvs)
		}
		return o, true
	}
	return nil, false
}

// strOf returns x as a string: *string in Decode's trees, string in
// generic trees and query values.
func strOf(x any) (string, bool) {
	switch t := x.(type) {
	case string:
		return t, true
	case *string:
		return *t, true
	}
	return "", false
}

// arrOf returns x as an array: *[]any in Decode's trees, []any elsewhere.
func arrOf(x any) ([]any, bool) {
	switch t := x.(type) {
	case []any:
		return t, true
	case *[]any:
		return *t, true
	}
	return nil, false
}

// toGeneric converts a tree value to the form encoding/json produces
// (map[string]any, []any, string), for values that leave the package.
// Arrays are copied: the parser carves them from shared chunks.
func toGeneric(x any) any {
	switch t := x.(type) {
	case *object:
		m := make(map[string]any, len(t.kvs))
		for _, e := range t.kvs {
			m[e.key] = toGeneric(e.val)
		}
		return m
	case *[]any:
		if len(*t) == 0 {
			return []any{}
		}
		arr := make([]any, len(*t))
		for i, e := range *t {
			arr[i] = toGeneric(e)
		}
		return arr
	case *string:
		return *t
	}
	return x
}
