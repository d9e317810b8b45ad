package sqlstore

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"sync"

	"github.com/sird-project/sird"
	"github.com/sird-project/sird/internal/fastjson"
)

// Fast encoders for outbox events and history entries.
//
// Every case change writes a history entry and most an outbox event, inside
// SQLite's single write turn, so their encoding/json cost (reflection, and
// sorting the keys of Event.Detail) is paid while every other writer waits.
// appendEventDoc and appendEditDoc write the same bytes by hand, as
// appendCaseDoc does for cases (casecodec.go):
//
//   - The output is exactly json.Marshal's (member order, omitempty rules,
//     escaping, Time format), so the documents stay what the queue, the
//     export and any other reader already decode with encoding/json.
//   - Detail values other than strings, booleans, nil and plain integers
//     (which the service never puts there today) are handed to json.Marshal
//     one by one; an error anywhere makes encoding/json encode the whole
//     document, so errors stay encoding/json's too.
//   - Both are used only while sird.Event and sird.CaseEdit have the layout
//     they were written for (eventCodecLayout, editCodecLayout). A change to
//     those types switches the encoders off, falling back to encoding/json,
//     and TestEventCodecLayout fails until they are updated.

// eventCodecLayout and editCodecLayout are the sha256 of eventLayout() and
// editLayout() the encoders were written for.
const (
	eventCodecLayout = "ab194006d07bf5fc2d72572cd3bbb13600bdd2e6ba769705c7324fc946621e74"
	editCodecLayout  = "8160bc28b17ce371110ad886adbf24142e7b0b804ea56b3f26b994cf80a66c39"
)

var (
	eventCodecOn = sync.OnceValue(func() bool { return eventLayoutHash() == eventCodecLayout })
	editCodecOn  = sync.OnceValue(func() bool { return editLayoutHash() == editCodecLayout })
)

func eventLayoutHash() string { return fastjson.LayoutHash(reflect.TypeFor[sird.Event]()) }
func eventLayout() string     { return fastjson.Layout(reflect.TypeFor[sird.Event]()) }
func editLayoutHash() string  { return fastjson.LayoutHash(reflect.TypeFor[sird.CaseEdit]()) }
func editLayout() string      { return fastjson.Layout(reflect.TypeFor[sird.CaseEdit]()) }

// encodeEventDoc is encodeJSON("event", e).
func encodeEventDoc(e *sird.Event) (string, error) {
	return encodeDoc("event", e, eventCodecOn, appendEventDoc)
}

// encodeEditDoc is encodeJSON("case edit", e).
func encodeEditDoc(e *sird.CaseEdit) (string, error) {
	return encodeDoc("case edit", e, editCodecOn, appendEditDoc)
}

func appendEditDoc(b []byte, e *sird.CaseEdit) ([]byte, error) {
	var err error
	b = append(b, `{"eventTimestamp":`...)
	if b, err = fastjson.AppendTime(b, e.EventTimestamp); err != nil {
		return nil, err
	}
	b = append(b, `,"principal":`...)
	b = fastjson.AppendString(b, e.Principal)
	b = append(b, `,"action":`...)
	b = fastjson.AppendString(b, e.Action)
	b = append(b, `,"message":`...)
	b = fastjson.AppendString(b, e.Message)
	return append(b, '}'), nil
}

func appendEventDoc(b []byte, e *sird.Event) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = fastjson.AppendString(b, e.ID)
	b = append(b, `,"type":`...)
	b = fastjson.AppendString(b, e.Type)
	b = append(b, `,"time":`...)
	if b, err = fastjson.AppendTime(b, e.Time); err != nil {
		return nil, err
	}
	b = append(b, `,"account":`...)
	b = fastjson.AppendString(b, e.AccountID)
	b = append(b, `,"region":`...)
	b = fastjson.AppendString(b, e.Region)
	b = append(b, `,"resources":`...)
	b = fastjson.AppendList(b, e.Resources, fastjson.AppendString)
	b = append(b, `,"principal":`...)
	b = fastjson.AppendString(b, e.Principal)
	if e.CaseID != "" {
		b = append(b, `,"caseId":`...)
		b = fastjson.AppendString(b, e.CaseID)
	}
	if e.CaseTitle != "" {
		b = append(b, `,"caseTitle":`...)
		b = fastjson.AppendString(b, e.CaseTitle)
	}
	if e.Membership != "" {
		b = append(b, `,"membershipId":`...)
		b = fastjson.AppendString(b, e.Membership)
	}
	b = append(b, `,"summary":`...)
	b = fastjson.AppendString(b, e.Summary)
	if len(e.Detail) > 0 { // omitempty omits empty maps, not only nil ones
		b = append(b, `,"detail":`...)
		if b, err = appendDetail(b, e.Detail); err != nil {
			return nil, err
		}
	}
	if len(e.Recipients) > 0 {
		b = append(b, `,"recipients":`...)
		b = fastjson.AppendList(b, e.Recipients, func(b []byte, r sird.Recipient) []byte {
			b = append(b, `{"email":`...)
			b = fastjson.AppendString(b, r.Email)
			if r.Name != "" {
				b = append(b, `,"name":`...)
				b = fastjson.AppendString(b, r.Name)
			}
			if len(r.Preferences) > 0 {
				b = append(b, `,"preferences":`...)
				b = fastjson.AppendList(b, r.Preferences, fastjson.AppendString)
			}
			return append(b, '}')
		})
	}
	return append(b, '}'), nil
}

// appendDetail writes m as encoding/json does: keys sorted byte-wise (on
// the raw key, before escaping), values by their dynamic type.
func appendDetail(b []byte, m map[string]any) ([]byte, error) {
	var stack [16]string // the service's events have at most 7 keys
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = fastjson.AppendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendDetailValue(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendDetailValue writes the kinds the service puts in Detail itself and
// leaves the rest (floats, named types, marshalers, nested values, typed
// nil pointers...) to json.Marshal. The cases match exact types only, so a
// named type with its own MarshalJSON never lands here.
func appendDetailValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return fastjson.AppendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}
