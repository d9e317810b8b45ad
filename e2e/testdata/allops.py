"""Every operation of the security-ir model through boto3, and every paginator
(issue "Conformance").

Credentials: dev (the dev credentials test/test, account 123456789012).
SIRD_BIN and SIRD_DATA_DIR let the script add investigation actions with
`sird responder investigate`. SIRD_SEEDED_MEMBERSHIPS is how many Terminated
memberships the Go test put in the store for the dev account in us-east-1
before the server started, so ListMemberships has more than one page.

The list of operations comes from boto3's own model
(client.meta.service_model.operation_names); every one must succeed at least
once, and every operation the client can paginate must be paginated over at
least two pages. done() reports "operations", "called" and "paginated".
"""

import subprocess

from botocore import xform_name

from sirdtest import *

ACCOUNT, REGION = "123456789012", "us-east-1"
ir = client("dev")
OPS = list(ir.meta.service_model.operation_names)
CALLED = set()


def _record(http_response=None, model=None, **_):
    # Every API call, paginated ones included, passes here: a 2xx answer counts.
    if http_response is not None and 200 <= http_response.status_code < 300:
        CALLED.add(model.name)


ir.meta.events.register("after-call.security-ir", _record)

TEAM = [{"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com"},
        {"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"}]


def new_case(title, resolver="Self"):
    return ir.create_case(resolverType=resolver, title=title, description="All operations", engagementType="Investigation",
                          reportedIncidentStartDate=utc(2025, 3, 1), impactedAccounts=[ACCOUNT], watchers=[])["caseId"]


# --- memberships -------------------------------------------------------------------
seeded = int(os.environ.get("SIRD_SEEDED_MEMBERSHIPS", "0"))
mid = ir.create_membership(membershipName="All operations", incidentResponseTeam=TEAM)["membershipId"]
m = ir.get_membership(membershipId=mid)
eq((m["membershipName"], m["membershipStatus"]), ("All operations", "Active"), "get_membership")
ir.update_membership(membershipId=mid, membershipName="Every operation")
eq(ir.get_membership(membershipId=mid)["membershipName"], "Every operation", "name after update_membership")
d = ir.batch_get_member_account_details(membershipId=mid, accountIds=[ACCOUNT])
eq([(i["accountId"], i["relationshipStatus"]) for i in d["items"]], [(ACCOUNT, "Associated")],
   "batch_get_member_account_details")
memberships = ir.list_memberships()["items"]
eq(len(memberships), seeded + 1, "list_memberships: the seeded Terminated ones and the new one")
check(mid in [i["membershipId"] for i in memberships], "list_memberships has %s" % mid)

# --- tags (membership and case ARNs) ----------------------------------------------------
arn = m["membershipArn"]
ir.tag_resource(resourceArn=arn, tags={"env": "test", "team": "ir"})
eq(ir.list_tags_for_resource(resourceArn=arn)["tags"], {"env": "test", "team": "ir"}, "membership tags")
ir.untag_resource(resourceArn=arn, tagKeys=["team"])
eq(ir.list_tags_for_resource(resourceArn=arn)["tags"], {"env": "test"}, "membership tags after untag")

# --- cases -------------------------------------------------------------------------------
cid = new_case("Main case")
others = [new_case("Other case %d" % i) for i in range(3)]
g = ir.get_case(caseId=cid)
eq((g["title"], g["caseStatus"], g["resolverType"]), ("Main case", "Submitted", "Self"), "get_case")
ir.update_case(caseId=cid, title="Main case, renamed", impactedServicesToAdd=["Amazon S3"],
               watchersToAdd=[{"email": "watcher@example.com", "name": "Wat Cher"}])
eq(ir.get_case(caseId=cid)["title"], "Main case, renamed", "title after update_case")
eq(ir.update_case_status(caseId=cid, caseStatus="Detection and Analysis")["caseStatus"], "Detection and Analysis",
   "update_case_status")
ir.tag_resource(resourceArn=g["caseArn"], tags={"severity": "low"})
eq(ir.list_tags_for_resource(resourceArn=g["caseArn"])["tags"], {"severity": "low"}, "case tags")

# --- comments ------------------------------------------------------------------------------
comment_ids = [ir.create_case_comment(caseId=cid, body="Comment %d" % i)["commentId"] for i in range(4)]
eq(ir.update_case_comment(caseId=cid, commentId=comment_ids[0], body="Comment 0, edited")["body"], "Comment 0, edited",
   "update_case_comment")

# --- attachments ------------------------------------------------------------------------
DATA = b"evidence " * 100
up = ir.get_case_attachment_upload_url(caseId=cid, fileName="evidence.txt", contentLength=len(DATA))["attachmentPresignedUrl"]
status, _, body = http("PUT", up, DATA)
eq(status, 200, "upload PUT (%r)" % body[:200])
atts = ir.get_case(caseId=cid)["caseAttachments"]
eq([(a["fileName"], a["attachmentStatus"]) for a in atts], [("evidence.txt", "Verified")], "attachment after upload")
if atts:
    dl = ir.get_case_attachment_download_url(caseId=cid, attachmentId=atts[0]["attachmentId"])["attachmentPresignedUrl"]
    status, _, body = http("GET", dl)
    eq((status, body == DATA), (200, True), "download GET")

# --- the responder side: investigations and feedback ---------------------------------------
eq(ir.update_resolver_type(caseId=cid, resolverType="AWS")["resolverType"], "AWS", "update_resolver_type")
for i, kind in enumerate(["Evidence", "Investigation", "Summarization", "Investigation"]):
    subprocess.run([os.environ["SIRD_BIN"], "responder", "investigate", "%s/%s/%s" % (ACCOUNT, REGION, cid),
                    "--type", kind, "--title", "Finding %d" % i, "--content", "Details of finding %d" % i,
                    "--responder", "e2e", "--data-dir", os.environ["SIRD_DATA_DIR"]],
                   check=True, stdout=subprocess.DEVNULL)
invs = ir.list_investigations(caseId=cid)["investigationActions"]
eq([(i["actionType"], i["title"]) for i in invs],
   [("Evidence", "Finding 0"), ("Investigation", "Finding 1"), ("Summarization", "Finding 2"), ("Investigation", "Finding 3")],
   "list_investigations")
if invs:
    ir.send_feedback(caseId=cid, resultId=invs[1]["investigationId"], usefulness="USEFUL", comment="Thanks")
    fb = ir.list_investigations(caseId=cid)["investigationActions"][1].get("feedback", {})
    eq((fb.get("usefulness"), fb.get("comment")), ("USEFUL", "Thanks"), "feedback after send_feedback")

# --- every paginator: two pages or more, the same items as one full page ----------------------
# Arguments per paginated operation; a paginator missing here fails the script.
PAGINATE = {
    "ListMemberships": {},
    "ListCases": {},
    "ListComments": {"caseId": cid},
    "ListCaseEdits": {"caseId": cid},
    "ListInvestigations": {"caseId": cid},
}
PAGE = 2
paginated = {}  # operation -> pages of PAGE items it took
for op in OPS:
    name = xform_name(op)
    if not ir.can_paginate(name):
        continue
    if not check(op in PAGINATE, "%s is paginated but this script has no arguments for it" % op):
        continue
    kwargs = PAGINATE[op]
    pag = ir.get_paginator(name)
    cfg = pag._pagination_cfg  # the paginator model: result_key, non_aggregate_keys
    result_key = cfg["result_key"]
    check(isinstance(result_key, str), "%s: one result key, got %r" % (op, result_key))
    non_aggregate = cfg.get("non_aggregate_keys", [])
    # One call returns everything: the reference listing.
    full = strip(getattr(ir, name)(maxResults=25, **kwargs))
    check("nextToken" not in full, "%s: more than 25 items" % op)
    items = full[result_key]
    check(len(items) > PAGE + 1, "%s: %d items, need more than %d" % (op, len(items), PAGE + 1))
    pages = list(pag.paginate(PaginationConfig={"PageSize": PAGE}, **kwargs))
    eq(len(pages), (len(items) + PAGE - 1) // PAGE, "%s: pages of %d" % (op, PAGE))
    for n, p in enumerate(pages):
        check(len(p[result_key]) <= PAGE, "%s page %d: %d items" % (op, n, len(p[result_key])))
        eq("nextToken" in p, n < len(pages) - 1, "%s page %d: nextToken present" % (op, n))
        for k in non_aggregate:
            eq(p.get(k), full.get(k), "%s page %d: %s" % (op, n, k))
    eq([i for p in pages for i in p[result_key]], items, "%s: pages joined" % op)
    agg = pag.paginate(PaginationConfig={"PageSize": PAGE}, **kwargs).build_full_result()
    eq(agg.get(result_key), items, "%s: build_full_result items" % op)
    for k in non_aggregate:
        check(k in full, "%s: the full listing has no %s" % (op, k))
        eq(agg.get(k), full.get(k), "%s: build_full_result keeps %s" % (op, k))
    # MaxItems stops early and resumes from the token botocore hands back.
    first = pag.paginate(PaginationConfig={"PageSize": PAGE, "MaxItems": PAGE + 1}, **kwargs).build_full_result()
    check("NextToken" in first, "%s: MaxItems %d of %d items gave no NextToken" % (op, PAGE + 1, len(items)))
    rest = {}
    if "NextToken" in first:
        rest = pag.paginate(PaginationConfig={"PageSize": PAGE, "StartingToken": first["NextToken"]},
                            **kwargs).build_full_result()
    eq(first.get(result_key, []) + rest.get(result_key, []), items, "%s: MaxItems then StartingToken" % op)
    paginated[op] = len(pages)

# --- closing ------------------------------------------------------------------------------
eq(ir.close_case(caseId=cid)["caseStatus"], "Closed", "close_case")
eq(ir.get_case(caseId=cid)["caseStatus"], "Closed", "status after close_case")
eq(ir.cancel_membership(membershipId=mid)["membershipId"], mid, "cancel_membership")
eq(ir.get_membership(membershipId=mid)["membershipStatus"], "Cancelled", "status after cancel_membership")

missing = sorted(set(OPS) - CALLED)
check(not missing, "operations never called successfully: %s" % missing)
done(operations=OPS, called=sorted(CALLED), paginated=paginated, caseId=cid, membershipId=mid)
