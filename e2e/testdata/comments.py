"""Case comments through boto3 (issue 5).

Credentials: a and a2 (alice and dave, two principals of 111111111111),
b (222222222222).
"""

from sirdtest import *

a, a2, b = client("a"), client("a2"), client("b")
ALICE = "arn:aws:iam::111111111111:user/alice"
DAVE = "arn:aws:iam::111111111111:user/dave"
TEAM = [{"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com"},
        {"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"}]
a.create_membership(membershipName="Security", incidentResponseTeam=TEAM)
b.create_membership(membershipName="Other account", incidentResponseTeam=TEAM)


def new_case(title):
    return a.create_case(resolverType="Self", title=title, description="d", engagementType="Investigation",
                         reportedIncidentStartDate=utc(2025, 1, 1), impactedAccounts=[], watchers=[])["caseId"]


cid, other = new_case("Comments"), new_case("Other case")

# --- create: 6-digit sequential IDs per case, clientToken idempotency ----------------
t0 = now()
eq(a.create_case_comment(caseId=cid, body="first", clientToken="c-1")["commentId"], "000001", "first comment")
t1 = now()
eq(a.create_case_comment(caseId=cid, body="first", clientToken="c-1")["commentId"], "000001", "retry with the same token")
r = expect_error("ConflictException", a.create_case_comment, caseId=cid, body="not first", clientToken="c-1")
eq(r.get("resourceType"), "clientToken", "token conflict resourceType")
eq(a.create_case_comment(caseId=other, body="first", clientToken="c-1")["commentId"], "000001", "tokens are per case")
eq(a2.create_case_comment(caseId=cid, body="dave's comment")["commentId"], "000002", "second comment")
LONG = "ünïcödé 🔒 " * 1199 + "x" * 10  # 12000 characters (code points)
eq(len(LONG), 12000, "long body length")
eq(a.create_case_comment(caseId=cid, body=LONG)["commentId"], "000003", "12000-character comment")
for i in range(4, 31):
    eq(a.create_case_comment(caseId=cid, body="comment %d" % i)["commentId"], "%06d" % i, "comment %d" % i)
expect_error("ResourceNotFoundException", b.create_case_comment, caseId=cid, body="intruder")
expect_error("ResourceNotFoundException", a.create_case_comment, caseId="1000000000", body="no case")

# --- list: oldest first, paginated, with total --------------------------------------
pages = list(a.get_paginator("list_comments").paginate(caseId=cid, PaginationConfig={"PageSize": 7}))
eq(len(pages), 5, "30 comments in pages of 7")
eq({p["total"] for p in pages}, {30}, "total on every page")
items = [i for p in pages for i in p["items"]]
eq([i["commentId"] for i in items], ["%06d" % i for i in range(1, 31)], "oldest first")
first = items[0]
near(first["createdDate"], t0, t1, "createdDate")
eq((first["body"], first["creator"], first["lastUpdatedBy"], first["lastUpdatedDate"]),
   ("first", ALICE, ALICE, first["createdDate"]), "first comment as listed")
eq((items[1]["body"], items[1]["creator"]), ("dave's comment", DAVE), "dave's comment as listed")
eq(items[2]["body"], LONG, "long body round trip")
p1 = a.list_comments(caseId=cid, maxResults=25)
p2 = a.list_comments(caseId=cid, maxResults=25, nextToken=p1["nextToken"])
eq((len(p1["items"]), len(p2["items"]), "nextToken" in p2), (25, 5, False), "explicit pages")
expect_error("InvalidTokenException", a.list_comments, caseId=other, nextToken=p1["nextToken"])
expect_error("InvalidTokenException", b.list_comments, caseId=cid, nextToken=p1["nextToken"])
eq(a.list_comments(caseId=other)["total"], 1, "the other case has its own comments")
expect_error("ResourceNotFoundException", b.list_comments, caseId=cid)

# --- update: only the creator may edit ---------------------------------------------
r = expect_error("AccessDeniedException", a2.update_case_comment, caseId=cid, commentId="000001", body="dave was here")
eq(r.get("ResponseMetadata", {}).get("HTTPStatusCode"), 403, "AccessDenied status")
expect_error("AccessDeniedException", a.update_case_comment, caseId=cid, commentId="000002", body="alice was here")
expect_error("ResourceNotFoundException", a.update_case_comment, caseId=cid, commentId="999999", body="x")
expect_error("ResourceNotFoundException", b.update_case_comment, caseId=cid, commentId="000001", body="x")
t2 = now()
eq(strip(a.update_case_comment(caseId=cid, commentId="000001", body="first, edited")),
   {"commentId": "000001", "body": "first, edited"}, "update_case_comment answer")
t3 = now()
eq(strip(a2.update_case_comment(caseId=cid, commentId="000002", body="dave edits his own")),
   {"commentId": "000002", "body": "dave edits his own"}, "dave edits his own comment")
items = a.list_comments(caseId=cid, maxResults=2)["items"]
eq((items[0]["body"], items[0]["creator"], items[0]["lastUpdatedBy"], items[0]["createdDate"]),
   ("first, edited", ALICE, ALICE, first["createdDate"]), "edited comment")
near(items[0]["lastUpdatedDate"], t2, t3, "lastUpdatedDate of the edit")
eq((items[1]["body"], items[1]["lastUpdatedBy"]), ("dave edits his own", DAVE), "dave's edit")

edits = [e for p in a.get_paginator("list_case_edits").paginate(caseId=cid) for e in p["items"]]
eq([e["action"] for e in edits], ["CaseCreated"] + ["CommentAdded"] * 30 + ["CommentUpdated"] * 2, "history")
eq(edits[2]["principal"], DAVE, "dave's comment in the history")

done(caseId=cid)
