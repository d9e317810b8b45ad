"""Case attachments through boto3 and plain HTTP (urllib) (issue 5).

Credentials: a (111111111111), b (222222222222). SIRD_BLOB_STORE tells the
store sird runs with: "fs" (URLs served by sird, one use each) or "s3"
(URLs go straight to the bucket).
"""

import os
import urllib.parse

from sirdtest import *

S3 = os.environ.get("SIRD_BLOB_STORE") == "s3"
a, b = client("a"), client("b")
ALICE = "arn:aws:iam::111111111111:user/alice"
TEAM = [{"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com"},
        {"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"}]
a.create_membership(membershipName="Security", incidentResponseTeam=TEAM)
b.create_membership(membershipName="Other account", incidentResponseTeam=TEAM)
cid = a.create_case(resolverType="Self", title="Attachments", description="d", engagementType="Investigation",
                    reportedIncidentStartDate=utc(2025, 1, 1), impactedAccounts=[], watchers=[])["caseId"]


def upload_url(name, size, **kw):
    return a.get_case_attachment_upload_url(caseId=cid, fileName=name, contentLength=size, **kw)["attachmentPresignedUrl"]


def attachments():
    return a.get_case(caseId=cid)["caseAttachments"]


def tamper(url, param=None, path=False):
    """url with its signature (or another query parameter) or path changed."""
    u = urllib.parse.urlsplit(url)
    q = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    if path:
        p = u.path[:-1] + ("0" if u.path[-1] != "0" else "1")
        return urllib.parse.urlunsplit(u._replace(path=p))
    out = []
    for k, v in q:
        if (param is None and k.lower().endswith("signature")) or k == param:
            v = (v[:-1] + ("0" if v[-1] != "0" else "1")) if param is None else str(int(v) + 1)
        out.append((k, v))
    return urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(out)))


# --- upload, verify, download --------------------------------------------------------
DATA = os.urandom(200_000) + b"\x00\r\n end of evidence"
t0 = now()
up = upload_url("evidence-2025.log", len(DATA))
t1 = now()
att = attachments()
eq(len(att), 1, "one attachment")
aid = att[0]["attachmentId"]
near(att[0].pop("createdDate", None), t0, t1, "attachment createdDate")
eq(att[0], {"attachmentId": aid, "fileName": "evidence-2025.log", "attachmentStatus": "Pending", "creator": ALICE},
   "pending attachment")
r = expect_error("ConflictException", a.get_case_attachment_download_url, caseId=cid, attachmentId=aid)
eq((r.get("resourceType"), r.get("resourceId")), ("attachment", aid), "download of a pending attachment")

status, _, body = http("PUT", up, DATA)
eq(status, 200, "PUT of the bytes: %r" % body[:300])
eq(attachments()[0]["attachmentStatus"], "Verified", "status after the upload")
dl = a.get_case_attachment_download_url(caseId=cid, attachmentId=aid)["attachmentPresignedUrl"]
status, headers, body = http("GET", dl)
eq(status, 200, "GET of the download URL")
check(body == DATA, "downloaded %d bytes, want the %d uploaded" % (len(body), len(DATA)))
cd = headers.get("content-disposition", "")
check(cd.startswith("attachment") and "evidence-2025.log" in cd, "Content-Disposition %r" % cd)
check(http("GET", tamper(dl))[0] == 403, "tampered download URL refused")

expect_error("ResourceNotFoundException", b.get_case_attachment_download_url, caseId=cid, attachmentId=aid)
expect_error("ResourceNotFoundException", b.get_case_attachment_upload_url, caseId=cid, fileName="x.txt", contentLength=1)
expect_error("ResourceNotFoundException", a.get_case_attachment_download_url, caseId=cid,
             attachmentId="00000000-0000-4000-8000-000000000000")

# --- refused uploads: wrong length, tampered URL ------------------------------------------
small = b"0123456789"
up2 = upload_url("small.bin", len(small))
for what, url, data in (("shorter body", up2, small[:-1]), ("longer body", up2, small + b"!"),
                        ("tampered signature", tamper(up2), small), ("tampered path", tamper(up2, path=True), small)):
    status, _, body = http("PUT", url, data)
    check(400 <= status < 500, "%s: status %d %r" % (what, status, body[:200]))
if not S3:
    status, _, _ = http("PUT", tamper(up2, param="X-Sird-Size"), small + b"!")
    eq(status, 403, "size changed in the URL")
    status, _, _ = http("PUT", tamper(up2, param="X-Sird-Expires"), small)
    eq(status, 403, "expiry changed in the URL")
eq(attachments()[1]["attachmentStatus"], "Pending", "refused uploads leave the attachment pending")
status, _, body = http("PUT", up2, small)
eq(status, 200, "the right upload after refused ones: %r" % body[:200])
eq(attachments()[1]["attachmentStatus"], "Verified", "small.bin verified")

if not S3:
    # An upload URL is spent once used.
    status, _, body = http("PUT", up, DATA)
    eq(status, 409, "reusing an upload URL: %r" % body[:200])
    status, _, body = http("PUT", up2, small)
    eq(status, 409, "reusing the second upload URL")

    # clientToken: the same request gets the same attachment until it is used.
    u1 = upload_url("token.txt", 3, clientToken="upload-1")
    u2 = upload_url("token.txt", 3, clientToken="upload-1")
    eq(urllib.parse.urlsplit(u1).path, urllib.parse.urlsplit(u2).path, "same clientToken, same attachment")
    eq(len(attachments()), 3, "one attachment for the retried request")
    expect_error("ConflictException", a.get_case_attachment_upload_url, caseId=cid, fileName="other.txt",
                 contentLength=3, clientToken="upload-1")
    eq(http("PUT", u2, b"abc")[0], 200, "upload through the retried URL")
    expect_error("ConflictException", a.get_case_attachment_upload_url, caseId=cid, fileName="token.txt",
                 contentLength=3, clientToken="upload-1")

    # 50 attachments per case; the 51st is refused with the quota's details.
    while len(attachments()) < 50:
        upload_url("filler-%d.txt" % len(attachments()), 1)
    r = expect_error("ServiceQuotaExceededException", a.get_case_attachment_upload_url, caseId=cid,
                     fileName="one-too-many.txt", contentLength=1)
    eq((r.get("resourceId"), r.get("resourceType"), r.get("serviceCode")), (cid, "case", "security-ir"),
       "quota details")
    check(r.get("quotaCode"), "quotaCode %r" % r.get("quotaCode"))
    eq(r.get("ResponseMetadata", {}).get("HTTPStatusCode"), 402, "quota status")
    eq(len(attachments()), 50, "still 50 attachments")

actions = [e["action"] for p in a.get_paginator("list_case_edits").paginate(caseId=cid) for e in p["items"]]
for want in ("AttachmentUploadUrlRequested", "AttachmentUploaded", "AttachmentDownloadUrlRequested"):
    check(want in actions, "%s in the history %r" % (want, sorted(set(actions))))

done(caseId=cid, attachmentId=aid)
