# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/People/examples/v1.0-beta/Remove-MgUserProfilePosition.md, commit ad5e800fdacc3d153f30625f3fe955f6804ce75e (title 'Example 1: Using the Remove-MgUserProfilePosition Cmdlet', no blank lines)
# Source: localized Graph-docs snippets (zh-CN index id 4121280533, pt-BR index id 8839662163, ms.lasthandoff 02/03/2022) have the same lines with blank lines after Import-Module
# Page: https://github.com/microsoftgraph/msgraph-sdk-powershell/blob/ad5e800fdacc3d153f30625f3fe955f6804ce75e/src/People/People/examples/v1.0-beta/Remove-MgUserProfilePosition.md (the first source above, as an address)
# Title: Example 1: Using the Remove-MgUserProfilePosition Cmdlet
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing.
#
# ---- verbatim code below ----
Import-Module Microsoft.Graph.People
# A UPN can also be used as -UserId.
Remove-MgUserProfilePosition -UserId $userId -WorkPositionId $workPositionId
