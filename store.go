package sird

import (
	"context"
	"errors"
	"time"
)

// ErrNotExist is returned by Tx getters when no row matches.
var ErrNotExist = errors.New("sird: not found")

// ErrDuplicate is returned by Tx inserts that hit a unique key.
var ErrDuplicate = errors.New("sird: duplicate key")

// Store persists everything. Both the SQLite and the PostgreSQL backends
// implement it and pass the same test suite (storetest).
type Store interface {
	// Write runs fn in a read-write transaction. Rows read with lock=true stay
	// locked until commit, so read-modify-write never loses a concurrent change.
	// fn may run more than once if the backend retries a serialization failure.
	Write(ctx context.Context, fn func(Tx) error) error
	// Read runs fn in a read-only transaction on a consistent snapshot.
	Read(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Page asks for at most Limit rows strictly after the keyset cursor After
// (empty: from the start).
type Page struct {
	After string
	Limit int
}

// Tx is one transaction's view of the store.
type Tx interface {
	// Access keys.
	PutAccessKey(k *AccessKey) error // insert or replace
	GetAccessKey(id string) (*AccessKey, error)
	ListAccessKeys() ([]*AccessKey, error)
	CountAccessKeys() (int, error)

	// Idempotency records: scope names the operation and caller; the request
	// hash tells a retry from a different request reusing a token.
	GetIdempotency(scope, token string) (requestHash, resourceID string, err error)
	PutIdempotency(scope, token, requestHash, resourceID string, at time.Time) error

	// Memberships. IDs are unique across the deployment.
	InsertMembership(m *Membership) error
	UpdateMembership(m *Membership) error
	GetMembership(id string, lock bool) (*Membership, error)
	// MembershipsByAccount returns the memberships owned by an account, any region, any status.
	MembershipsByAccount(accountID string) ([]*Membership, error)
	// MembershipsByOrg returns the memberships owned by any account of an organization.
	MembershipsByOrg(orgID string) ([]*Membership, error)
	// ListMemberships pages the memberships of an account in a region, ordered by ID.
	ListMemberships(accountID, region string, p Page) ([]*Membership, error)
	AddMembershipChange(c *MembershipChange) error
	// MembershipsVersion changes (on every node) with each change to a
	// membership or to a declared organization, its units or accounts.
	MembershipsVersion() (int64, error)
	ListMembershipChanges(membershipID string) ([]*MembershipChange, error)

	// Organizations.
	PutOrganization(o *Organization) error
	PutOrgUnit(u *OrgUnit) error
	// DeleteOrgUnit removes a unit; a missing one is not an error.
	DeleteOrgUnit(id string) error
	PutOrgAccount(a *OrgAccount) error
	DeleteOrgAccount(accountID string) error
	GetOrgAccount(accountID string) (*OrgAccount, error)
	GetOrganization(id string) (*Organization, error)
	ListOrgUnits(orgID string) ([]*OrgUnit, error)
	ListOrgAccounts(orgID string) ([]*OrgAccount, error)
	ListOrganizations() ([]*Organization, error)

	// Cases. IDs are unique across the deployment; account and region scope reads.
	InsertCase(c *Case) error
	// InsertCaseWithFirstEdit is InsertCase plus the case's history entry
	// 1 (first.Seq is 1), stored with the case: one write for a creation.
	InsertCaseWithFirstEdit(c *Case, first *CaseEdit) error
	UpdateCase(c *Case) error
	GetCase(accountID, region, id string, lock bool) (*Case, error)
	// ListCases pages an account's cases in a region, newest first
	// (createdDate descending, then case ID descending). The cursor is opaque to callers.
	ListCases(accountID, region string, p Page) (items []*Case, next string, err error)
	CountCases(accountID, region string) (int64, error)

	// Case history, in order of Seq (assigned by the caller from Case.EditCount).
	AddCaseEdit(caseID string, e *CaseEdit) error
	ListCaseEdits(caseID string, p Page) (items []*CaseEdit, next string, err error)

	// Comments, in order of their 6-digit IDs.
	InsertComment(c *Comment) error
	UpdateComment(c *Comment) error
	GetComment(caseID, commentID string, lock bool) (*Comment, error)
	ListComments(caseID string, p Page) (items []*Comment, next string, err error)

	// Pending uploads: attachments whose upload URL has not been used yet,
	// so the cleaner can find the expired ones without scanning cases.
	AddPendingUpload(ref AttachmentRef, expiresAt time.Time) error
	RemovePendingUpload(ref AttachmentRef) error
	ExpiredPendingUploads(before time.Time, limit int) ([]AttachmentRef, error)

	// Outbox.
	AddEvent(e *Event) error
}

// AttachmentRef locates an attachment within its case.
type AttachmentRef struct {
	AccountID, Region, CaseID, AttachmentID string
}
