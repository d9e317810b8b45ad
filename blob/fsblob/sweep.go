package fsblob

import (
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Sweep removes temp files of uploads that a crash left behind: those last
// modified more than olderThan ago. olderThan must exceed the longest upload,
// or an upload still running loses its temp file and fails. It reports how
// many files it removed; it keeps going past errors and returns them joined.
func (s *Store) Sweep(olderThan time.Duration) (int, error) {
	root, err := s.openRoot()
	if err != nil {
		return 0, err
	}
	defer root.Close()
	cutoff := s.now().Add(-olderThan)
	var removed int
	var errs []error
	walkErr := fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if !d.Type().IsRegular() || !isTemp(d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if !missing(err) { // finished (renamed) since the listing
				errs = append(errs, err)
			}
			return nil
		}
		if !fi.ModTime().Before(cutoff) {
			return nil
		}
		if err := root.Remove(name); err != nil && !missing(err) {
			errs = append(errs, err)
			return nil
		}
		removed++
		return nil
	})
	if walkErr != nil {
		errs = append(errs, walkErr)
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("fsblob: sweep: %w", err)
	}
	return removed, nil
}
