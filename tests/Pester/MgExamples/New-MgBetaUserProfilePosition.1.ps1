# Source: https://learn.microsoft.com/powershell/module/microsoft.graph.beta.people/new-mgbetauserprofileposition?view=graph-powershell-beta (EXAMPLES section)
# Source: GitHub MicrosoftDocs/microsoftgraph-docs-powershell, path microsoftgraph/graph-powershell-beta/Microsoft.Graph.Beta.People/New-MgBetaUserProfilePosition.md, commit 000701007bf4114226ce3c7ece8b24a744b319be (ms.date 01/30/2026, PlatyPS schema 2024-05-01)
# Source: https://learn.microsoft.com/en-us/graph/api/profile-post-positions?view=graph-rest-beta (PowerShell tab; stored page copy, Sitemap-Last-Modified 2024-07-15) -- identical code
# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/beta/examples/New-MgBetaUserProfilePosition.md, commit 1eaea0ed0f4f029bd84cf32993220d81879622cc -- identical code
# Title: EXAMPLE 1   (Learn/MicrosoftDocs heading; msgraph-sdk-powershell examples file: "Example 1: Code snippet", followed by "This example shows how to use the New-MgBetaUserProfilePosition Cmdlet.")
# Status: CURRENT (camelCase keys). Graph API page request: POST https://graph.microsoft.com/beta/me/profile/positions (note: snippet uses -UserId $userId although the HTTP sample targets /me)
# Whitespace: MicrosoftDocs copy has no code fence and no leading blank line; the snippet/example copies wrap it in ```powershell with one blank line before and after. Code lines are byte-identical.
#
# ---- verbatim code below (tabs preserved) ----
Import-Module Microsoft.Graph.Beta.People

$params = @{
	detail = @{
		company = @{
			displayName = "Adventureworks Ltd."
			department = "Consulting"
			officeLocation = "AW23/344"
			address = @{
				type = "business"
				street = "123 Patriachy Ponds"
				city = "Moscow"
				countryOrRegion = "Russian Federation"
				postalCode = "RU-34621"
			}
			webUrl = "https://www.adventureworks.com"
		}
		jobTitle = "Senior Product Branding Manager II"
		role = "consulting"
	}
	isCurrent = $true
}

# A UPN can also be used as -UserId.
New-MgBetaUserProfilePosition -UserId $userId -BodyParameter $params
