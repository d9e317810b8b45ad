"""Memberships, organizations and tags through boto3 (issue 3).

Credentials: a (111111111111, the organization's management account),
b (222222222222, in OU Payments under Prod), c (555555555555, standalone),
d (232323232323, in OU Cards under Payments, with no membership of its own).
The organization is the one TestBoto3Memberships loads (see orgDeclaration).
"""

import re

from sirdtest import *

a, b, c, d = client("a"), client("b"), client("c"), client("d")
a_west = client("a", "us-west-2")

TEAM = [
    {"name": "Alice Lead", "jobTitle": "Lead", "email": "alice@example.com",
     "communicationPreferences": ["Case Created", "Case Closed", "Membership Updated"]},
    {"name": "Bob Analyst", "jobTitle": "Analyst", "email": "bob@example.com"},
]
OPT_IN = [{"featureName": "Triage", "isEnabled": True}]

# --- create, idempotency, one membership per account ------------------------
req = dict(clientToken="boto3-membership-a", membershipName="Security",
           incidentResponseTeam=TEAM, optInFeatures=OPT_IN, tags={"env": "prod"})
t0 = now()
mid = a.create_membership(**req)["membershipId"]
t1 = now()
check(re.fullmatch(r"m-[a-z0-9]{10,32}", mid), "membership id %r" % mid)
eq(a.create_membership(**req)["membershipId"], mid, "retry with the same clientToken")
r = expect_error("ConflictException", a.create_membership, **dict(req, membershipName="Other name"))
eq(r.get("resourceType"), "clientToken", "token conflict resourceType")
eq(r.get("resourceId"), "boto3-membership-a", "token conflict resourceId")
r = expect_error("ConflictException", a.create_membership, **dict(req, clientToken="boto3-membership-a2"))
eq(r.get("resourceId"), mid, "second membership: resourceId")
eq(r.get("resourceType"), "membership", "second membership: resourceType")
eq(r.get("ResponseMetadata", {}).get("HTTPStatusCode"), 409, "second membership: status")
# boto3 fills in a fresh clientToken itself: still a second membership.
expect_error("ConflictException", a.create_membership, membershipName="Third", incidentResponseTeam=TEAM)

# A standalone account cannot cover an organization it does not have.
r = expect_error("ValidationException", c.create_membership, membershipName="Standalone",
                 incidentResponseTeam=TEAM, coverEntireOrganization=True)
check(r.get("reason") == "FIELD_VALIDATION_FAILED" and r.get("fieldList"), "validation details: %r" % r)
cid = c.create_membership(membershipName="Standalone", incidentResponseTeam=TEAM[::-1])["membershipId"]
bid = b.create_membership(membershipName="Member B", incidentResponseTeam=TEAM,
                          optInFeatures=[{"featureName": "Triage", "isEnabled": False}])["membershipId"]
check(len({mid, bid, cid}) == 3, "membership ids are distinct")

NOT_ACTIVE = "SecurityIncidentResponseNotActiveException"
D_CASE = dict(resolverType="Self", title="Member account case", description="d", engagementType="Investigation",
              reportedIncidentStartDate=utc(2025, 1, 1), impactedAccounts=[], watchers=[])
expect_error(NOT_ACTIVE, d.create_case, **D_CASE)  # not covered yet

# --- get: every member --------------------------------------------------------
g = strip(a.get_membership(membershipId=mid))
near(g.pop("membershipActivationTimestamp", None), t0, t1, "membershipActivationTimestamp")
eq(g, {
    "membershipId": mid, "accountId": "111111111111", "region": "us-east-1",
    "membershipName": "Security",
    "membershipArn": "arn:aws:security-ir:us-east-1:111111111111:membership/" + mid,
    "membershipStatus": "Active", "customerType": "Organization", "numberOfAccountsCovered": 1,
    "incidentResponseTeam": TEAM, "optInFeatures": OPT_IN,
    "membershipAccountsConfigurations": {"coverEntireOrganization": False, "organizationalUnits": []},
}, "get_membership a")
g = strip(c.get_membership(membershipId=cid))
eq((g["customerType"], g["numberOfAccountsCovered"], g["incidentResponseTeam"], g["accountId"]),
   ("Standalone", 1, TEAM[::-1], "555555555555"), "get_membership c")
check("membershipDeactivationTimestamp" not in g, "an active membership has no deactivation timestamp")

# --- list, paginated, per account and region ---------------------------------
ACCOUNTS = {"a": "111111111111", "b": "222222222222", "c": "555555555555"}
for who, cl, want in (("a", a, mid), ("b", b, bid), ("c", c, cid)):
    page = cl.list_memberships(maxResults=1)
    eq([i["membershipId"] for i in page["items"]], [want], "list_memberships " + who)
    check("nextToken" not in page, "one membership, no next page for " + who)
    items = [i for p in cl.get_paginator("list_memberships").paginate(PaginationConfig={"PageSize": 1})
             for i in p["items"]]
    eq(items, [{"membershipId": want, "accountId": ACCOUNTS[who], "region": "us-east-1",
                "membershipStatus": "Active",
                "membershipArn": "arn:aws:security-ir:us-east-1:%s:membership/%s" % (ACCOUNTS[who], want)}],
       "paginated list " + who)
expect_error("InvalidTokenException", a.list_memberships, nextToken="not-a-token")

# --- isolation: accounts and regions -------------------------------------------
expect_error("ResourceNotFoundException", b.get_membership, membershipId=mid)
expect_error("ResourceNotFoundException", c.update_membership, membershipId=mid, membershipName="Hijack")
expect_error("ResourceNotFoundException", c.cancel_membership, membershipId=mid)
expect_error("ResourceNotFoundException", a_west.get_membership, membershipId=mid)
eq(a_west.list_memberships()["items"], [], "us-west-2 lists nothing")
expect_error("SecurityIncidentResponseNotActiveException", a_west.create_case, resolverType="Self",
             title="West", description="d", engagementType="Investigation",
             reportedIncidentStartDate=utc(2025, 1, 1), impactedAccounts=[], watchers=[])
# The membership serves its region; the account has one already.
expect_error("ConflictException", a_west.create_membership, membershipName="West", incidentResponseTeam=TEAM)

# --- update every field -------------------------------------------------------
TEAM2 = TEAM + [{"name": "Carol Forensics", "jobTitle": "Forensics", "email": "carol@example.com",
                 "communicationPreferences": ["Case Comment Added"]}]
a.update_membership(membershipId=mid, membershipName="Security Ops", incidentResponseTeam=TEAM2,
                    optInFeatures=[{"featureName": "Triage", "isEnabled": False}],
                    membershipAccountsConfigurationsUpdate={"organizationalUnitsToAdd": ["ou-ab12-prod0001"]})
g = a.get_membership(membershipId=mid)
eq((g["membershipName"], g["incidentResponseTeam"], g["optInFeatures"]),
   ("Security Ops", TEAM2, [{"featureName": "Triage", "isEnabled": False}]), "updated scalars")
eq(g["membershipAccountsConfigurations"], {"coverEntireOrganization": False, "organizationalUnits": ["ou-ab12-prod0001"]}, "OUs after add")
eq(g["numberOfAccountsCovered"], 3, "Prod covers its nested OUs (Payments, Cards) and the owner")
# d is covered through a's membership now (Cards is under Prod): it may open cases, its own.
d_case = d.create_case(**D_CASE)["caseId"]
eq(d.get_case(caseId=d_case)["caseArn"], "arn:aws:security-ir:us-east-1:232323232323:case/" + d_case, "d's case")
expect_error("ResourceNotFoundException", a.get_case, caseId=d_case)

BATCH = ["111111111111", "222222222222", "232323232323", "333333333333", "444444444444",
         "999999999999", "777777777777", "222222222222"]


def relationships(cl, m):
    out = cl.batch_get_member_account_details(membershipId=m, accountIds=BATCH)
    return ({i["accountId"]: (i["relationshipStatus"], i["relationshipType"]) for i in out["items"]},
            sorted((e["accountId"], e["error"]) for e in out["errors"]), out)


rel, errs, raw = relationships(a, mid)
eq(rel, {
    "111111111111": ("Associated", "Organization"),
    "222222222222": ("Associated", "Organization"),
    "232323232323": ("Associated", "Organization"),
    "333333333333": ("Disassociated", "Organization"),
    "444444444444": ("Disassociated", "Organization"),
    "999999999999": ("Unassociated", "Unrelated"),
}, "relationships with OU Prod")
eq([e[0] for e in errs], ["222222222222", "777777777777"], "errors: duplicate and other organization")
check(all(e.get("message") for e in raw["errors"]), "errors carry messages")
eq([i["accountId"] for i in raw["items"]], BATCH[:6], "items in request order")

a.update_membership(membershipId=mid, membershipAccountsConfigurationsUpdate={"organizationalUnitsToAdd": ["ou-ab12-dev00001", "ou-ab12-prod0001"]})
eq(a.get_membership(membershipId=mid)["numberOfAccountsCovered"], 4, "Prod and Dev")
a.update_membership(membershipId=mid, membershipAccountsConfigurationsUpdate={"organizationalUnitsToRemove": ["ou-ab12-prod0001"]})
g = a.get_membership(membershipId=mid)
eq((g["numberOfAccountsCovered"], g["membershipAccountsConfigurations"]["organizationalUnits"]),
   (2, ["ou-ab12-dev00001"]), "Dev only")
rel, _, _ = relationships(a, mid)
eq((rel["222222222222"], rel["333333333333"]), (("Disassociated", "Organization"), ("Associated", "Organization")), "Dev only relationships")
expect_error(NOT_ACTIVE, d.create_case, **D_CASE)
expect_error(NOT_ACTIVE, d.update_case, caseId=d_case, title="no longer covered")
a.update_membership(membershipId=mid, membershipAccountsConfigurationsUpdate={"coverEntireOrganization": True})
g = a.get_membership(membershipId=mid)
eq((g["numberOfAccountsCovered"], g["membershipAccountsConfigurations"]["coverEntireOrganization"]), (5, True), "whole organization")
rel, _, _ = relationships(a, mid)
check(all(v == ("Associated", "Organization") for k, v in rel.items() if k != "999999999999"), "all associated: %r" % rel)
a.update_membership(membershipId=mid, membershipAccountsConfigurationsUpdate={"coverEntireOrganization": False,
                                                                             "organizationalUnitsToAdd": ["ou-ab12-prod0001"]})
eq(a.get_membership(membershipId=mid)["numberOfAccountsCovered"], 4, "Dev and Prod, not the whole organization")

r = expect_error("ValidationException", a.update_membership, membershipId=mid,
                 membershipAccountsConfigurationsUpdate={"organizationalUnitsToAdd": ["ou-zz99-notours1"]})
check(r.get("fieldList"), "unknown OU names the field")
expect_error("ValidationException", a.update_membership, membershipId=mid,
             membershipAccountsConfigurationsUpdate={"organizationalUnitsToRemove": ["ou-ab12-card0001"]})
expect_error("ValidationException", c.update_membership, membershipId=cid,
             membershipAccountsConfigurationsUpdate={"coverEntireOrganization": True})
r = expect_error("ValidationException", a.update_membership, membershipId=mid, undoMembershipCancellation=False)
eq(r.get("reason"), "FIELD_VALIDATION_FAILED", "undoMembershipCancellation=false reason")
expect_error("ConflictException", a.update_membership, membershipId=mid, undoMembershipCancellation=True)
eq(a.get_membership(membershipId=mid)["membershipName"], "Security Ops", "refused updates change nothing")

# --- tags on memberships and cases ---------------------------------------------
marn = "arn:aws:security-ir:us-east-1:111111111111:membership/" + mid
eq(a.list_tags_for_resource(resourceArn=marn)["tags"], {"env": "prod"}, "tags from create_membership")
case_id = a.create_case(resolverType="Self", title="Tagged case", description="d", engagementType="Investigation",
                        reportedIncidentStartDate=utc(2025, 3, 1), impactedAccounts=[], watchers=[],
                        tags={"case-tag": "1"})["caseId"]
carn = a.get_case(caseId=case_id)["caseArn"]
eq(carn, "arn:aws:security-ir:us-east-1:111111111111:case/" + case_id, "case ARN")
for arn, first in ((marn, {"env": "prod"}), (carn, {"case-tag": "1"})):
    a.tag_resource(resourceArn=arn, tags={"owner": "ir", "empty": ""})
    eq(a.list_tags_for_resource(resourceArn=arn)["tags"], dict(first, owner="ir", empty=""), "after tag " + arn)
    a.tag_resource(resourceArn=arn, tags={"owner": "secops"})
    a.untag_resource(resourceArn=arn, tagKeys=["empty", "never-there"])
    eq(a.list_tags_for_resource(resourceArn=arn)["tags"], dict(first, owner="secops"), "after untag " + arn)
    for bad in ({"aws:reserved": "x"}, {"AWS:Reserved": "x"}):
        r = expect_error("ValidationException", a.tag_resource, resourceArn=arn, tags=dict(bad, fine="y"))
        check(r.get("fieldList"), "reserved tag names the field")
    check("fine" not in a.list_tags_for_resource(resourceArn=arn)["tags"], "refused tag request applied nothing")
    # Up to 200 tags; the 201st is refused and nothing of that request applies.
    have = len(a.list_tags_for_resource(resourceArn=arn)["tags"])
    a.tag_resource(resourceArn=arn, tags={"k%03d" % i: "v" for i in range(200 - have)})
    eq(len(a.list_tags_for_resource(resourceArn=arn)["tags"]), 200, "200 tags")
    expect_error("ValidationException", a.tag_resource, resourceArn=arn, tags={"one-too-many": "x"})
    a.tag_resource(resourceArn=arn, tags={"owner": "replaced"})  # replacing keeps the count
    tags = a.list_tags_for_resource(resourceArn=arn)["tags"]
    eq((len(tags), tags.get("owner"), "one-too-many" in tags), (200, "replaced", False), "after the 201st")
    a.untag_resource(resourceArn=arn, tagKeys=["k%03d" % i for i in range(200 - have)])
    # Another account, another region: not found.
    expect_error("ResourceNotFoundException", b.list_tags_for_resource, resourceArn=arn)
    expect_error("ResourceNotFoundException", b.tag_resource, resourceArn=arn, tags={"x": "y"})
    expect_error("ResourceNotFoundException", a_west.list_tags_for_resource, resourceArn=arn)
eq(len(a.list_tags_for_resource(resourceArn=carn)["tags"]), 2, "case tags back to 2")
for foreign in ("arn:aws:security-ir:us-east-1:999999999999:case/1234567890",
                "arn:aws:security-ir:us-east-1:111111111111:case/1234567890",
                "arn:aws:security-ir:us-west-2:111111111111:membership/" + mid,
                "arn:aws:security-ir:us-east-1:222222222222:membership/" + bid):
    expect_error("ResourceNotFoundException", a.list_tags_for_resource, resourceArn=foreign)
    expect_error("ResourceNotFoundException", a.untag_resource, resourceArn=foreign, tagKeys=["x"])

# --- account isolation for cases ------------------------------------------------
expect_error("ResourceNotFoundException", b.get_case, caseId=case_id)
expect_error("ResourceNotFoundException", c.get_case, caseId=case_id)
expect_error("ResourceNotFoundException", a_west.get_case, caseId=case_id)
check(case_id not in [i["caseId"] for i in c.list_cases()["items"]], "c does not list a's case")
eq(a_west.list_cases()["total"], 0, "us-west-2 has no cases")

# --- cancel and resume ------------------------------------------------------
t2 = now()
eq(a.cancel_membership(membershipId=mid)["membershipId"], mid, "cancel_membership")
t3 = now()
g = a.get_membership(membershipId=mid)
eq(g["membershipStatus"], "Cancelled", "status after cancel")
near(g.get("membershipDeactivationTimestamp"), t2, t3, "membershipDeactivationTimestamp")
eq(a.list_memberships()["items"][0]["membershipStatus"], "Cancelled", "listed status after cancel")
expect_error("ConflictException", a.cancel_membership, membershipId=mid)
expect_error("ConflictException", a.update_membership, membershipId=mid, membershipName="While cancelled")
expect_error("ConflictException", a.create_membership, membershipName="Replacement", incidentResponseTeam=TEAM)
rel, _, _ = relationships(a, mid)
eq(rel["111111111111"], ("Disassociated", "Organization"), "a cancelled membership associates nothing")
expect_error(NOT_ACTIVE, d.create_case, **D_CASE)  # covered by a cancelled membership
expect_error(NOT_ACTIVE, a.create_case, resolverType="Self", title="t", description="d",
             engagementType="Investigation", reportedIncidentStartDate=utc(2025, 1, 1), impactedAccounts=[], watchers=[])
expect_error(NOT_ACTIVE, a.update_case, caseId=case_id, title="changed")
expect_error(NOT_ACTIVE, a.update_case_status, caseId=case_id, caseStatus="Detection and Analysis")
expect_error(NOT_ACTIVE, a.create_case_comment, caseId=case_id, body="hello")
expect_error(NOT_ACTIVE, a.close_case, caseId=case_id)
expect_error(NOT_ACTIVE, a.get_case_attachment_upload_url, caseId=case_id, fileName="x.txt", contentLength=3)
g = a.get_case(caseId=case_id)
eq((g["title"], g["caseStatus"]), ("Tagged case", "Submitted"), "get_case works while cancelled")
eq(a.list_cases()["total"], 1, "list_cases works while cancelled")
a.tag_resource(resourceArn=carn, tags={"cancelled": "yes"})

a.update_membership(membershipId=mid, undoMembershipCancellation=True, membershipName="Resumed")
g = a.get_membership(membershipId=mid)
eq((g["membershipStatus"], g["membershipName"], "membershipDeactivationTimestamp" in g),
   ("Active", "Resumed", False), "resumed")
a.update_case(caseId=case_id, title="changed after resume")
eq(a.get_case(caseId=case_id)["title"], "changed after resume", "writes work again")
d.update_case(caseId=d_case, title="covered again")
eq(d.get_case(caseId=d_case)["title"], "covered again", "d writes again after the resume")

done(membershipId=mid, caseId=case_id, bMembershipId=bid, cMembershipId=cid)
