"""Cases through boto3 (issue 4).

Credentials: a and a2 (two principals of 111111111111), b (222222222222).
"""

import re

from sirdtest import *

a, a2, b = client("a"), client("a2"), client("b")
ALICE = "arn:aws:iam::111111111111:user/alice"
DAVE = "arn:aws:iam::111111111111:user/dave"
TEAM = [{"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com"},
        {"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"}]
a.create_membership(membershipName="Security", incidentResponseTeam=TEAM)
b.create_membership(membershipName="Other account", incidentResponseTeam=TEAM)

WATCHERS = [{"email": "w1@example.com", "name": "Wanda One", "jobTitle": "CISO"},
            {"email": "w2@example.com"},
            {"email": "w3@example.com", "name": "Will Three"}]
IPS = [{"ipAddress": "198.51.100.7", "userAgent": "curl/8.0"},
       {"ipAddress": "203.0.113.9"},
       {"ipAddress": "198.51.100.7", "userAgent": "python-requests/2.31"}]
CREATE = dict(
    clientToken="boto3-case-1", resolverType="Self",
    title="Credential exfiltration from CI " + "x" * 260,
    description="Access keys leaked through a build log.\nSecond line: ünïcödé, <tags> & \"quotes\".",
    engagementType="Security Incident", reportedIncidentStartDate=utc(2025, 1, 2, 3, 4, 5),
    impactedAccounts=["111111111111", "444455556666"], watchers=WATCHERS, threatActorIpAddresses=IPS,
    impactedServices=["Amazon EC2", "AWS IAM"],
    impactedAwsRegions=[{"region": "us-east-1"}, {"region": "eu-west-1"}],
    tags={"severity": "high"})

# --- create and get ------------------------------------------------------------
t0 = now()
cid = a.create_case(**CREATE)["caseId"]
t1 = now()
check(re.fullmatch(r"[1-9][0-9]{9}", cid), "case id %r" % cid)
eq(a.create_case(**CREATE)["caseId"], cid, "retry with the same clientToken")
r = expect_error("ConflictException", a.create_case, **dict(CREATE, title="A different request"))
eq((r.get("resourceType"), r.get("resourceId")), ("clientToken", "boto3-case-1"), "token conflict details")
g = strip(a.get_case(caseId=cid))
near(g.get("createdDate"), t0, t1, "createdDate")
eq(g.get("lastUpdatedDate"), g.get("createdDate"), "lastUpdatedDate of a new case")
created = g.pop("createdDate", None)
g.pop("lastUpdatedDate", None)
eq(g, {
    "title": CREATE["title"], "caseArn": "arn:aws:security-ir:us-east-1:111111111111:case/" + cid,
    "description": CREATE["description"], "caseStatus": "Submitted", "engagementType": "Security Incident",
    "reportedIncidentStartDate": utc(2025, 1, 2, 3, 4, 5), "impactedAwsRegions": CREATE["impactedAwsRegions"],
    "threatActorIpAddresses": IPS, "pendingAction": "None", "impactedAccounts": CREATE["impactedAccounts"],
    "watchers": WATCHERS, "resolverType": "Self", "impactedServices": CREATE["impactedServices"],
    "caseAttachments": [],
}, "get_case round trip")
eq(a.list_tags_for_resource(resourceArn=g["caseArn"])["tags"], {"severity": "high"}, "tags from create_case")
expect_error("ResourceNotFoundException", b.get_case, caseId=cid)
expect_error("ResourceNotFoundException", b.update_case, caseId=cid, title="hijack")
expect_error("ResourceNotFoundException", b.list_case_edits, caseId=cid)
expect_error("ResourceNotFoundException", a.get_case, caseId="1000000000")

# --- list_cases: newest first, paginated, with total --------------------------------
others = []
for i in range(4):
    others.append(a.create_case(resolverType="Self", title="Case %d" % i, description="d", engagementType="Investigation",
                                reportedIncidentStartDate=utc(2025, 2, 1 + i), impactedAccounts=[], watchers=[])["caseId"])
want_order = others[::-1] + [cid]
pages = list(a.get_paginator("list_cases").paginate(PaginationConfig={"PageSize": 2}))
eq(len(pages), 3, "pages of 2")
eq([p["total"] for p in pages], [5, 5, 5], "total on every page")
items = [i for p in pages for i in p["items"]]
eq([i["caseId"] for i in items], want_order, "newest first")
first = items[-1]
eq({k: v for k, v in first.items() if k not in ("createdDate", "lastUpdatedDate")}, {
    "caseId": cid, "title": CREATE["title"], "caseArn": g["caseArn"], "engagementType": "Security Incident",
    "caseStatus": "Submitted", "resolverType": "Self", "pendingAction": "None"}, "list item")
eq(first["createdDate"], created, "list item createdDate")
p1 = a.list_cases(maxResults=4)
eq((len(p1["items"]), p1["total"]), (4, 5), "first page of 4")
p2 = a.list_cases(maxResults=4, nextToken=p1["nextToken"])
eq(([i["caseId"] for i in p2["items"]], "nextToken" in p2), ([cid], False), "last page")
expect_error("InvalidTokenException", b.list_cases, nextToken=p1["nextToken"])
eq(b.list_cases()["total"], 0, "b has no cases")

# --- update_case: every scalar ----------------------------------------------------
a.update_case(caseId=cid, title="Renamed", description="New description",
              reportedIncidentStartDate=utc(2024, 12, 31, 23, 59, 59), actualIncidentStartDate=utc(2024, 12, 30),
              engagementType="Investigation",
              caseMetadata=[{"key": "severity", "value": "high"}, {"key": "ticket", "value": "IR-42"}])
g = a.get_case(caseId=cid)
eq((g["title"], g["description"], g["reportedIncidentStartDate"], g["actualIncidentStartDate"], g["engagementType"],
    g.get("caseMetadata")),
   ("Renamed", "New description", utc(2024, 12, 31, 23, 59, 59), utc(2024, 12, 30), "Investigation",
    [{"key": "severity", "value": "high"}, {"key": "ticket", "value": "IR-42"}]), "scalars after update")
check(g["lastUpdatedDate"] > g["createdDate"], "lastUpdatedDate advances")
eq(g["createdDate"], created, "createdDate stays")

# --- update_case: add/delete pairs (delete first, then add, set semantics) ---------------
a2.update_case(
    caseId=cid,
    watchersToAdd=[{"email": "w4@example.com", "name": "Wes Four"}, {"email": "w4@example.com", "name": "Wes Four"},
                   {"email": "W1@example.com", "name": "Wanda Renamed", "jobTitle": "CSO"}],
    watchersToDelete=[{"email": "w2@example.com"}, {"email": "absent@example.com"}],
    threatActorIpAddressesToAdd=[{"ipAddress": "192.0.2.1", "userAgent": "Go-http-client/1.1"}, {"ipAddress": "203.0.113.9"}],
    threatActorIpAddressesToDelete=[{"ipAddress": "198.51.100.7"}, {"ipAddress": "10.0.0.1"}],
    impactedServicesToAdd=["Amazon S3", "Amazon EC2", "AWS IAM"],
    impactedServicesToDelete=["AWS IAM", "Amazon GuardDuty"],
    impactedAwsRegionsToAdd=[{"region": "eu-west-1"}, {"region": "ap-south-1"}],
    impactedAwsRegionsToDelete=[{"region": "us-east-1"}, {"region": "sa-east-1"}],
    impactedAccountsToAdd=["777788889999", "111111111111"],
    impactedAccountsToDelete=["444455556666", "000000000000"])
g = a.get_case(caseId=cid)
w = g["watchers"]
eq(len(w), 3, "watchers: w2 deleted, w4 added once, w1 replaced")
eq([x["email"].lower() for x in w], ["w1@example.com", "w3@example.com", "w4@example.com"], "watcher order")
eq((w[0].get("name"), w[0].get("jobTitle")), ("Wanda Renamed", "CSO"), "w1 name and job title replaced")
eq(w[2], {"email": "w4@example.com", "name": "Wes Four"}, "w4")
eq(g["threatActorIpAddresses"], [{"ipAddress": "203.0.113.9"}, {"ipAddress": "192.0.2.1", "userAgent": "Go-http-client/1.1"}],
   "a delete without userAgent removes every entry of the address")
eq(g["impactedServices"], ["Amazon EC2", "Amazon S3", "AWS IAM"], "services: deleted then re-added goes last")
eq(g["impactedAwsRegions"], [{"region": "eu-west-1"}, {"region": "ap-south-1"}], "regions")
eq(g["impactedAccounts"], ["111111111111", "777788889999"], "accounts")
# Adding what is there and deleting what is not changes nothing, not even the history.
g0, n0 = strip(a.get_case(caseId=cid)), a.list_case_edits(caseId=cid)["total"]
a.update_case(caseId=cid, title=g0["title"], impactedServicesToAdd=["Amazon EC2"], impactedAccountsToDelete=["000000000000"],
              watchersToAdd=[{"email": "w4@example.com", "name": "Wes Four"}], impactedAwsRegionsToAdd=[{"region": "eu-west-1"}])
eq(strip(a.get_case(caseId=cid)), g0, "a no-op update changes nothing")
eq(a.list_case_edits(caseId=cid)["total"], n0, "a no-op update records no edit")
a.update_case(caseId=cid, threatActorIpAddressesToAdd=[{"ipAddress": "192.0.2.1", "userAgent": "other"}],
              threatActorIpAddressesToDelete=[{"ipAddress": "192.0.2.1", "userAgent": "Go-http-client/1.1"}])
eq(a.get_case(caseId=cid)["threatActorIpAddresses"], [{"ipAddress": "203.0.113.9"}, {"ipAddress": "192.0.2.1", "userAgent": "other"}],
   "a delete with userAgent removes only that entry")

# Watchers: 30 at most, counted on the result; a refused update applies nothing.
a.update_case(caseId=cid, watchersToAdd=[{"email": "extra%02d@example.com" % i} for i in range(27)])
eq(len(a.get_case(caseId=cid)["watchers"]), 30, "30 watchers")
a.update_case(caseId=cid, watchersToAdd=[{"email": "EXTRA00@example.com", "name": "Same watcher"}])
eq(len(a.get_case(caseId=cid)["watchers"]), 30, "re-adding a watcher keeps 30")
before = a.get_case(caseId=cid)
r = expect_error("ValidationException", a.update_case, caseId=cid, title="Must not apply",
                 impactedServicesToAdd=["Amazon RDS"], watchersToAdd=[{"email": "w31@example.com"}])
check(r.get("fieldList"), "31 watchers: fieldList %r" % r)
after = a.get_case(caseId=cid)
eq(strip(after), strip(before), "nothing of the refused update applied")
# Room again after a delete in the same request.
a.update_case(caseId=cid, watchersToDelete=[{"email": "extra26@example.com"}], watchersToAdd=[{"email": "w31@example.com"}])
eq(len(a.get_case(caseId=cid)["watchers"]), 30, "delete then add stays at 30")
expect_error("ResourceNotFoundException", a.update_case, caseId="1000000000", title="x")

# --- status workflow (self-managed) ------------------------------------------------
DA, CER, PIA = "Detection and Analysis", "Containment, Eradication and Recovery", "Post-incident Activities"
for bad in (CER, PIA, "Submitted"):
    expect_error("ValidationException", a.update_case_status, caseId=cid, caseStatus=bad)
path = [DA, CER, PIA, DA, PIA, CER, DA]
for st in path:
    eq(a.update_case_status(caseId=cid, caseStatus=st)["caseStatus"], st, "transition to " + st)
    eq(a.get_case(caseId=cid)["caseStatus"], st, "get_case after transition to " + st)
for bad in ("Submitted", DA, "Acknowledged", "Ready to Close", "Closed", "Nonsense"):
    expect_error("ValidationException", a.update_case_status, caseId=cid, caseStatus=bad)
eq(a.get_case(caseId=cid)["caseStatus"], DA, "refused transitions change nothing")
a.update_case_status(caseId=cid, caseStatus=CER)
for bad in ("Submitted", CER):
    expect_error("ValidationException", a.update_case_status, caseId=cid, caseStatus=bad)
a.update_case_status(caseId=cid, caseStatus=PIA)
for bad in ("Submitted", PIA):
    expect_error("ValidationException", a.update_case_status, caseId=cid, caseStatus=bad)

# --- AWS-resolved cases and the resolver type ----------------------------------------
aws_case = a.create_case(resolverType="AWS", title="Responder case", description="d", engagementType="Investigation",
                         reportedIncidentStartDate=utc(2025, 4, 1), impactedAccounts=[], watchers=[])["caseId"]
expect_error("ValidationException", a.update_case_status, caseId=aws_case, caseStatus=DA)
expect_error("ValidationException", a.update_resolver_type, caseId=aws_case, resolverType="Self")
expect_error("ValidationException", a.update_resolver_type, caseId=aws_case, resolverType="AWS")
eq(a.get_case(caseId=aws_case)["caseStatus"], "Submitted", "AWS case status unchanged")
self_case = others[0]
a.update_case_status(caseId=self_case, caseStatus=DA)
eq(strip(a.update_resolver_type(caseId=self_case, resolverType="AWS")),
   {"caseId": self_case, "caseStatus": DA, "resolverType": "AWS"}, "Self -> AWS")
eq(a.get_case(caseId=self_case)["resolverType"], "AWS", "resolver type after the change")
expect_error("ValidationException", a.update_resolver_type, caseId=self_case, resolverType="Self")
expect_error("ValidationException", a.update_case_status, caseId=self_case, caseStatus=CER)
eq(a.get_case(caseId=self_case)["resolverType"], "AWS", "AWS -> Self refused")

# --- close: read-only afterwards ---------------------------------------------------
comment = a.create_case_comment(caseId=cid, body="before closing")["commentId"]
t2 = now()
closed = strip(a.close_case(caseId=cid))
t3 = now()
eq(closed.get("caseStatus"), "Closed", "close_case status")
near(closed.get("closedDate"), t2, t3, "closedDate")
g = a.get_case(caseId=cid)
eq((g["caseStatus"], g.get("closedDate")), ("Closed", closed.get("closedDate")), "get_case of a closed case")
for fn, kw in ((a.update_case, dict(title="after close")),
               (a.update_case_status, dict(caseStatus=DA)),
               (a.update_resolver_type, dict(resolverType="AWS")),
               (a.create_case_comment, dict(body="after close")),
               (a.update_case_comment, dict(commentId=comment, body="edited after close")),
               (a.get_case_attachment_upload_url, dict(fileName="late.txt", contentLength=4)),
               (a.close_case, {})):
    r = expect_error("ConflictException", fn, caseId=cid, **kw)
    eq((r.get("resourceType"), r.get("resourceId")), ("case", cid), "conflict details of %s" % fn.__name__)
eq(strip(a.get_case(caseId=cid)), strip(g), "refused writes change nothing")
a.tag_resource(resourceArn=g["caseArn"], tags={"closed": "yes"})
a.untag_resource(resourceArn=g["caseArn"], tagKeys=["severity"])
eq(a.list_tags_for_resource(resourceArn=g["caseArn"])["tags"], {"closed": "yes"}, "tags work on a closed case")
eq(a.list_comments(caseId=cid)["total"], 1, "comments readable on a closed case")
listed = [i for i in a.list_cases()["items"] if i["caseId"] == cid][0]
eq((listed["caseStatus"], listed.get("closedDate")), ("Closed", closed.get("closedDate")), "closed case in list_cases")
a.close_case(caseId=aws_case)  # AWS-resolved cases close with CloseCase

# --- list_case_edits: every step, in order, paginated, with total ---------------------------
edits = [i for p in a.get_paginator("list_case_edits").paginate(caseId=cid, PaginationConfig={"PageSize": 4})
         for i in p["items"]]
actions = [e["action"] for e in edits]
want_actions = (["CaseCreated", "CaseUpdated", "CaseUpdated", "CaseUpdated", "CaseUpdated", "CaseUpdated", "CaseUpdated"]
                + ["CaseStatusUpdated"] * (len(path) + 2) + ["CommentAdded", "CaseClosed"])
eq(actions, want_actions, "edit actions in order")
eq(edits[2]["principal"], DAVE, "the add/delete update was dave's")
check(all(e["principal"] == ALICE for i, e in enumerate(edits) if i != 2), "other edits are alice's")
check(all(10 <= len(e["message"]) <= 4096 for e in edits), "messages within 10..4096: %r" %
      [e["message"] for e in edits if not 10 <= len(e["message"]) <= 4096])
check(all(edits[i]["eventTimestamp"] <= edits[i + 1]["eventTimestamp"] for i in range(len(edits) - 1)), "timestamps in order")
near(edits[0]["eventTimestamp"], t0, t1, "first edit timestamp")
check("Detection and Analysis" in edits[7]["message"], "status message names the status: %r" % edits[7]["message"])
page = a.list_case_edits(caseId=cid, maxResults=5)
eq((len(page["items"]), page["total"]), (5, len(edits)), "first page of edits and total")
page2 = a.list_case_edits(caseId=cid, maxResults=25, nextToken=page["nextToken"])
eq(page["items"] + page2["items"], edits, "manual pages equal the paginator")
check("nextToken" not in page2, "no page after the last")
expect_error("InvalidTokenException", a.list_case_edits, caseId=self_case, nextToken=page["nextToken"])

done(caseId=cid, edits=len(edits))
