"""clientToken idempotency across a restart of sird on the same data dir.

SIRD_PHASE=before creates resources with client tokens and prints what it
got; SIRD_PHASE=after (with SIRD_BEFORE, that output) runs against the
restarted server and checks every retry answers the same.
Credentials: a (111111111111).
"""

import json
import os
import urllib.parse

from sirdtest import *

a = client("a")
TEAM = [{"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com"},
        {"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"}]
MEMBERSHIP = dict(clientToken="restart-membership", membershipName="Security", incidentResponseTeam=TEAM)
CASE = dict(clientToken="restart-case", resolverType="Self", title="Survives restarts", description="d",
            engagementType="Investigation", reportedIncidentStartDate=utc(2025, 1, 2, 3, 4, 5),
            impactedAccounts=["111111111111"], watchers=[{"email": "w@example.com"}])
COMMENT = dict(clientToken="restart-comment", body="said before the restart")
UPLOAD = dict(clientToken="restart-upload", fileName="before.txt", contentLength=5)

if os.environ["SIRD_PHASE"] == "before":
    mid = a.create_membership(**MEMBERSHIP)["membershipId"]
    cid = a.create_case(**CASE)["caseId"]
    newer = a.create_case(**dict(CASE, clientToken="restart-case-2", title="Newer"))["caseId"]
    comment = a.create_case_comment(caseId=cid, **COMMENT)["commentId"]
    url = a.get_case_attachment_upload_url(caseId=cid, **UPLOAD)["attachmentPresignedUrl"]
    page = a.list_cases(maxResults=1)
    eq([i["caseId"] for i in page["items"]], [newer], "first page before the restart")
    done(membershipId=mid, caseId=cid, commentId=comment, uploadUrl=url, nextToken=page["nextToken"])

before = json.loads(os.environ["SIRD_BEFORE"])
cid = before["caseId"]
eq(a.create_membership(**MEMBERSHIP)["membershipId"], before["membershipId"], "membership retry after restart")
eq(a.create_case(**CASE)["caseId"], cid, "case retry after restart")
eq(a.create_case_comment(caseId=cid, **COMMENT)["commentId"], before["commentId"], "comment retry after restart")
url = a.get_case_attachment_upload_url(caseId=cid, **UPLOAD)["attachmentPresignedUrl"]
eq(urllib.parse.urlsplit(url).path, urllib.parse.urlsplit(before["uploadUrl"]).path, "upload URL retry after restart")
r = expect_error("ConflictException", a.create_membership, **dict(MEMBERSHIP, membershipName="Changed"))
eq(r.get("resourceType"), "clientToken", "membership token conflict")
expect_error("ConflictException", a.create_case, **dict(CASE, title="Changed"))
expect_error("ConflictException", a.create_case_comment, caseId=cid, **dict(COMMENT, body="changed"))
expect_error("ConflictException", a.get_case_attachment_upload_url, caseId=cid, **dict(UPLOAD, fileName="changed.txt"))
eq(a.list_comments(caseId=cid)["total"], 1, "one comment")
eq(a.list_cases()["total"], 2, "two cases")

# A URL and a nextToken issued before the restart still work after it.
# The restarted server listens on another port: put the URL on it, as a
# stable public URL (--public-url) would (the host is not part of the grant).
old = urllib.parse.urlsplit(before["uploadUrl"])
new = urllib.parse.urlsplit(ENDPOINT)
status, _, body = http("PUT", urllib.parse.urlunsplit(old._replace(netloc=new.netloc)), b"hello")
eq(status, 200, "upload through a URL issued before the restart: %r" % body[:200])
eq([x["attachmentStatus"] for x in a.get_case(caseId=cid)["caseAttachments"]], ["Verified"], "attachment verified")
page = a.list_cases(maxResults=1, nextToken=before["nextToken"])
eq([i["caseId"] for i in page["items"]], [cid], "second page with a nextToken from before the restart")
done(caseId=cid)
