<#
.SYNOPSIS
    Turns the platyPS-style help pages in en-US/ into MAML (<Module>.dll-Help.xml) and an about_*.help.txt topic.

.DESCRIPTION
    platyPS is not served by our package feed, so the build carries this small converter. It reads the
    platyPS 0.14 markdown schema (front matter, SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS with
    yaml blocks, INPUTS, OUTPUTS, NOTES, RELATED LINKS) and writes the MAML that Get-Help reads.
    Syntax blocks are generated from the parameters' yaml ("Parameter Sets"), with the set order and the
    default set taken from the SYNTAX headings, so a parameter cannot be documented in one place and
    forgotten in the other.
    Dot-source this file, then call ConvertTo-MamlHelp and ConvertTo-AboutHelpText.
#>

Set-StrictMode -Version 3.0

$script:MamlNamespace = 'http://schemas.microsoft.com/maml/2004/10'
$script:CommandNamespace = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$script:DevNamespace = 'http://schemas.microsoft.com/maml/dev/2004/10'

function Split-MarkdownSection {
    # Splits lines into sections at headings of the given level: returns [ordered] heading -> lines.
    param([string[]] $Lines, [int] $Level)
    $prefix = ('#' * $Level) + ' '
    $sections = [ordered]@{}
    $current = $null
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($prefix)) {
            $current = $line.Substring($prefix.Length).Trim()
            $sections[$current] = [Collections.Generic.List[string]]::new()
            continue
        }
        if ($null -ne $current) { $sections[$current].Add($line) }
    }
    $sections
}

function Get-MarkdownBlock {
    # Splits section lines into text paragraphs and fenced code blocks, in order.
    param([string[]] $Lines)
    $blocks = [Collections.Generic.List[object]]::new()
    $paragraph = [Collections.Generic.List[string]]::new()
    $fence = $null
    $code = $null
    $flush = {
        if ($paragraph.Count -gt 0) {
            $blocks.Add([pscustomobject]@{ Kind = 'Text'; Language = $null; Text = ($paragraph -join ' ') })
            $paragraph.Clear()
        }
    }
    foreach ($line in $Lines) {
        if ($null -ne $fence) {
            if ($line -match '^\s*```\s*$') {
                $blocks.Add([pscustomobject]@{ Kind = 'Code'; Language = $fence; Text = ($code -join "`n") })
                $fence = $null
            }
            else { $code.Add($line) }
            continue
        }
        if ($line -match '^\s*```\s*(\S*)') {
            & $flush
            $fence = $Matches[1].ToLowerInvariant()
            $code = [Collections.Generic.List[string]]::new()
            continue
        }
        if ([string]::IsNullOrWhiteSpace($line)) { & $flush; continue }
        # A list item starts its own paragraph so Get-Help keeps one item per line.
        if ($line -match '^\s*([-*]|\d+\.)\s+') { & $flush }
        $paragraph.Add($line.Trim())
    }
    if ($null -ne $fence) { throw "Unclosed code fence ($fence)." }
    & $flush
    $blocks
}

function Get-TextParagraph {
    # Paragraph texts of a section; a code block inside prose becomes one paragraph of its own.
    param([string[]] $Lines)
    @(Get-MarkdownBlock $Lines | ForEach-Object Text)
}

function ConvertFrom-ParameterYaml {
    # Reads the flat "Key: value" yaml of one platyPS parameter block.
    param([string] $Text)
    $map = @{}
    foreach ($line in $Text -split "`n") {
        if ($line -match '^\s*([A-Za-z ]+):\s*(.*)$') { $map[$Matches[1].Trim()] = $Matches[2].Trim() }
    }
    foreach ($key in 'Type', 'Parameter Sets', 'Required', 'Position', 'Accept pipeline input') {
        if (-not $map.ContainsKey($key)) { throw "Parameter yaml lacks '$key'." }
    }
    # @(...) around the whole if: an empty branch must still give an empty array, not $null.
    $sets = @(if ($map['Parameter Sets'] -eq '(All)') { '(All)' } else { $map['Parameter Sets'] -split ',' | ForEach-Object Trim })
    $aliases = @(if ($map['Aliases'] -and $map['Aliases'] -ne 'None') { $map['Aliases'] -split ',' | ForEach-Object Trim })
    $accepted = @(if ($map['Accepted values']) { $map['Accepted values'] -split ',' | ForEach-Object Trim })
    [pscustomobject]@{
        Type           = $map['Type']
        Sets           = $sets
        Aliases        = $aliases
        AcceptedValues = $accepted
        Required       = $map['Required'] -eq 'True'
        Position       = $map['Position']
        DefaultValue   = if ($map['Default value']) { $map['Default value'] } else { 'None' }
        PipelineInput  = $map['Accept pipeline input']
        Globbing       = $map['Accept wildcard characters'] -eq 'True'
    }
}

function Read-CommandHelpMarkdown {
    # Parses one en-US/<Verb-Noun>.md page into a help object.
    param([Parameter(Mandatory)] [string] $Path)
    $lines = Get-Content -Path $Path
    $frontMatter = @{}
    $start = 0
    if ($lines.Count -gt 0 -and $lines[0].Trim() -eq '---') {
        for ($i = 1; $i -lt $lines.Count; $i++) {
            if ($lines[$i].Trim() -eq '---') { $start = $i + 1; break }
            if ($lines[$i] -match '^([^:]+):\s*(.*)$') { $frontMatter[$Matches[1].Trim()] = $Matches[2].Trim() }
        }
    }
    $body = $lines[$start..($lines.Count - 1)]
    $title = $body | Where-Object { $_ -match '^# ' } | Select-Object -First 1
    if (-not $title) { throw "${Path}: no '# Verb-Noun' title." }
    $name = $title.Substring(2).Trim()
    $sections = Split-MarkdownSection -Lines $body -Level 2
    foreach ($required in 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS') {
        if (-not $sections.Contains($required)) { throw "${Path}: no '## $required' section." }
    }

    # Parameter-set order and the default set come from the SYNTAX headings, e.g. "### List (Default)".
    $sets = [Collections.Generic.List[object]]::new()
    foreach ($heading in (Split-MarkdownSection -Lines $sections['SYNTAX'] -Level 3).Keys) {
        $isDefault = $heading -match '\(Default\)'
        $setName = ($heading -replace '\(Default\)', '').Trim()
        $sets.Add([pscustomobject]@{ Name = $setName; IsDefault = $isDefault })
    }
    if ($sets.Count -eq 0) {
        # A command with one parameter set has no set heading (platyPS writes it that way too).
        $sets.Add([pscustomobject]@{ Name = '__AllParameterSets'; IsDefault = $true })
    }

    $examples = foreach ($entry in (Split-MarkdownSection -Lines $sections['EXAMPLES'] -Level 3).GetEnumerator()) {
        $blocks = @(Get-MarkdownBlock $entry.Value)
        $code = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -in 'powershell', 'pwsh', 'ps' } | ForEach-Object Text)
        if ($code.Count -eq 0) { throw "${Path}: example '$($entry.Key)' has no powershell code block." }
        $remarks = @($blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Language -in 'powershell', 'pwsh', 'ps') } | ForEach-Object Text)
        [pscustomobject]@{ Title = $entry.Key; Code = ($code -join "`n`n"); Remarks = $remarks }
    }

    $parameters = foreach ($entry in (Split-MarkdownSection -Lines $sections['PARAMETERS'] -Level 3).GetEnumerator()) {
        if ($entry.Key -eq 'CommonParameters') { continue }
        if (-not $entry.Key.StartsWith('-')) { throw "${Path}: parameter heading '$($entry.Key)' must start with '-'." }
        $blocks = @(Get-MarkdownBlock $entry.Value)
        $yaml = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' })
        if ($yaml.Count -eq 0) { throw "${Path}: parameter $($entry.Key) has no yaml block." }
        $descriptions = @($blocks | Where-Object { $_.Kind -eq 'Text' } | ForEach-Object Text)
        if ($descriptions.Count -eq 0) { throw "${Path}: parameter $($entry.Key) has no description." }
        [pscustomobject]@{
            Name        = $entry.Key.Substring(1)
            Description = $descriptions
            Variants    = @($yaml | ForEach-Object { ConvertFrom-ParameterYaml $_.Text })
        }
    }

    $typed = {
        param($sectionLines)
        foreach ($typeEntry in (Split-MarkdownSection -Lines $sectionLines -Level 3).GetEnumerator()) {
            [pscustomobject]@{ Type = $typeEntry.Key; Description = @(Get-TextParagraph $typeEntry.Value) }
        }
    }

    $links = @()
    if ($sections.Contains('RELATED LINKS')) {
        $links = foreach ($line in $sections['RELATED LINKS']) {
            if ($line -match '^\s*\[([^\]]+)\]\(([^)]*)\)') { [pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] } }
        }
    }

    $verb, $noun = $name -split '-', 2
    [pscustomobject]@{
        Path         = $Path
        FrontMatter  = $frontMatter
        Name         = $name
        Verb         = $verb
        Noun         = $noun
        Synopsis     = @(Get-TextParagraph $sections['SYNOPSIS'])
        Description  = @(Get-TextParagraph $sections['DESCRIPTION'])
        ParameterSets = $sets
        Examples     = @($examples)
        Parameters   = @($parameters)
        Inputs       = @(& $typed $sections['INPUTS'])
        Outputs      = @(& $typed $sections['OUTPUTS'])
        Notes        = @(if ($sections.Contains('NOTES')) { Get-TextParagraph $sections['NOTES'] })
        Links        = @($links)
    }
}

function Write-Para {
    param([Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    foreach ($paragraph in $Paragraphs) {
        $Writer.WriteElementString('maml', 'para', $script:MamlNamespace, $paragraph)
    }
}

function Write-Description {
    param([Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    $Writer.WriteStartElement('maml', 'description', $script:MamlNamespace)
    Write-Para $Writer $Paragraphs
    $Writer.WriteEndElement()
}

function Get-VariantForSet {
    # The yaml variant of a parameter that applies to a set, or $null when the parameter is not in it.
    param($Parameter, [string] $SetName)
    foreach ($variant in $Parameter.Variants) {
        if ($variant.Sets -contains '(All)' -or $variant.Sets -contains $SetName) { return $variant }
    }
    $null
}

function Write-MamlParameter {
    param([Xml.XmlWriter] $Writer, $Parameter, $Variant, [switch] $InSyntax)
    $isSwitch = $Variant.Type -eq 'SwitchParameter'
    $Writer.WriteStartElement('command', 'parameter', $script:CommandNamespace)
    $Writer.WriteAttributeString('required', $Variant.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', ($Variant.Type -like '*`[`]').ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $Variant.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Variant.PipelineInput)
    $Writer.WriteAttributeString('position', $Variant.Position.ToLowerInvariant())
    $Writer.WriteAttributeString('aliases', $(if ($Variant.Aliases.Count) { $Variant.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $script:MamlNamespace, $Parameter.Name)
    Write-Description $Writer $Parameter.Description
    if ($InSyntax -and $Variant.AcceptedValues.Count) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $script:CommandNamespace)
        foreach ($value in $Variant.AcceptedValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $script:CommandNamespace)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $script:CommandNamespace, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    elseif (-not ($InSyntax -and $isSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $script:CommandNamespace)
        $Writer.WriteAttributeString('required', (-not $isSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($Variant.Type)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $script:DevNamespace)
    $Writer.WriteElementString('maml', 'name', $script:MamlNamespace, $Variant.Type)
    $Writer.WriteElementString('maml', 'uri', $script:MamlNamespace, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $script:DevNamespace, $Variant.DefaultValue)
    $Writer.WriteEndElement()
}

function Write-MamlCommand {
    param([Xml.XmlWriter] $Writer, $Help)
    $Writer.WriteStartElement('command', 'command', $script:CommandNamespace)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $script:MamlNamespace)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $script:CommandNamespace)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $script:DevNamespace)

    $Writer.WriteStartElement('command', 'details', $script:CommandNamespace)
    $Writer.WriteElementString('command', 'name', $script:CommandNamespace, $Help.Name)
    $Writer.WriteElementString('command', 'verb', $script:CommandNamespace, $Help.Verb)
    $Writer.WriteElementString('command', 'noun', $script:CommandNamespace, $Help.Noun)
    Write-Description $Writer $Help.Synopsis
    $Writer.WriteEndElement()

    Write-Description $Writer $Help.Description

    # Syntax: one item per parameter set, default set first; positional parameters first, then required ones.
    $Writer.WriteStartElement('command', 'syntax', $script:CommandNamespace)
    $orderedSets = @($Help.ParameterSets | Sort-Object { -not $_.IsDefault })
    foreach ($set in $orderedSets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $script:CommandNamespace)
        $Writer.WriteElementString('maml', 'name', $script:MamlNamespace, $Help.Name)
        $inSet = foreach ($parameter in $Help.Parameters) {
            $variant = Get-VariantForSet $parameter $set.Name
            if ($variant) {
                $position = if ($variant.Position -match '^\d+$') { [int] $variant.Position } else { [int]::MaxValue }
                [pscustomobject]@{ Parameter = $parameter; Variant = $variant; Position = $position }
            }
        }
        $index = 0
        $ordered = $inSet | ForEach-Object { $_ | Add-Member -NotePropertyName Index -NotePropertyValue ($index++) -PassThru } |
            Sort-Object Position, { -not $_.Variant.Required }, { $_.Parameter.Name -in 'WhatIf', 'Confirm' }, Index
        foreach ($item in $ordered) { Write-MamlParameter $Writer $item.Parameter $item.Variant -InSyntax }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $script:CommandNamespace)
    foreach ($parameter in $Help.Parameters) {
        # One entry per parameter; it is required when it is required in every set it belongs to.
        $first = $parameter.Variants[0]
        $merged = [pscustomobject]@{
            Type           = $first.Type
            Sets           = @($parameter.Variants | ForEach-Object Sets)
            Aliases        = $first.Aliases
            AcceptedValues = $first.AcceptedValues
            Required       = -not ($parameter.Variants | Where-Object { -not $_.Required })
            Position       = $first.Position
            DefaultValue   = $first.DefaultValue
            PipelineInput  = (@($parameter.Variants | ForEach-Object PipelineInput | Select-Object -Unique) -join '; ')
            Globbing       = $first.Globbing
        }
        Write-MamlParameter $Writer $parameter $merged
    }
    $Writer.WriteEndElement()

    foreach ($kind in @(@{ List = 'inputTypes'; Item = 'inputType'; Source = $Help.Inputs }, @{ List = 'returnValues'; Item = 'returnValue'; Source = $Help.Outputs })) {
        $Writer.WriteStartElement('command', $kind.List, $script:CommandNamespace)
        foreach ($entry in $kind.Source) {
            $Writer.WriteStartElement('command', $kind.Item, $script:CommandNamespace)
            $Writer.WriteStartElement('dev', 'type', $script:DevNamespace)
            $Writer.WriteElementString('maml', 'name', $script:MamlNamespace, $entry.Type)
            $Writer.WriteEndElement()
            Write-Description $Writer $entry.Description
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    if ($Help.Notes.Count) {
        $Writer.WriteStartElement('maml', 'alertSet', $script:MamlNamespace)
        $Writer.WriteStartElement('maml', 'alert', $script:MamlNamespace)
        Write-Para $Writer $Help.Notes
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $script:CommandNamespace)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $script:CommandNamespace)
        $Writer.WriteElementString('maml', 'title', $script:MamlNamespace, "---------- $($example.Title) ----------")
        $Writer.WriteElementString('dev', 'code', $script:DevNamespace, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $script:DevNamespace)
        Write-Para $Writer $example.Remarks
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $script:CommandNamespace)
    foreach ($link in $Help.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $script:MamlNamespace)
        $Writer.WriteElementString('maml', 'linkText', $script:MamlNamespace, $link.Text)
        # A link to a sibling markdown page names a command: Get-Help shows the name, and a file path would only mislead.
        $uri = if ($link.Uri -match '^https?://') { $link.Uri } else { '' }
        $Writer.WriteElementString('maml', 'uri', $script:MamlNamespace, $uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

function Test-CommandHelp {
    # Consistency checks a reviewer would otherwise do by eye; the build fails on any of them.
    param($Help)
    $problems = [Collections.Generic.List[string]]::new()
    if ($Help.FrontMatter['external help file'] -ne 'ProfilePositions.dll-Help.xml') { $problems.Add("front matter 'external help file' must be ProfilePositions.dll-Help.xml") }
    if (-not $Help.Synopsis) { $problems.Add('empty SYNOPSIS') }
    if (-not $Help.Description) { $problems.Add('empty DESCRIPTION') }
    if ($Help.Examples.Count -lt 2) { $problems.Add("$($Help.Examples.Count) example(s); at least 2 are required") }
    $setNames = @($Help.ParameterSets.Name)
    foreach ($parameter in $Help.Parameters) {
        foreach ($variant in $parameter.Variants) {
            foreach ($set in $variant.Sets) {
                if ($set -ne '(All)' -and $set -notin $setNames) { $problems.Add("-$($parameter.Name) names set '$set', which SYNTAX does not list") }
            }
        }
    }
    if ($problems.Count) { throw "$($Help.Path):`n  " + ($problems -join "`n  ") }
}

function ConvertTo-MamlHelp {
    <#
    .SYNOPSIS
        Writes one MAML file from several <Verb-Noun>.md pages; returns the parsed pages.
    #>
    param(
        [Parameter(Mandatory)] [string[]] $MarkdownPath,
        [Parameter(Mandatory)] [string] $OutputPath
    )
    $pages = foreach ($path in $MarkdownPath) {
        $help = Read-CommandHelpMarkdown -Path $path
        Test-CommandHelp $help
        $help
    }
    $settings = [Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [Text.UTF8Encoding]::new($false)
    $writer = [Xml.XmlWriter]::Create($OutputPath, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($help in $pages) { Write-MamlCommand $writer $help }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
    # The result must be well-formed XML; reading it back proves it.
    $null = [xml] (Get-Content $OutputPath -Raw)
    Write-Host "Help: $($pages.Count) command page(s) -> $OutputPath"
}

function ConvertFrom-InlineMarkdown {
    # Plain text of one line of markdown prose: `code`, **bold**, *italic* and [text](link) lose their markup.
    param([string] $Text)
    $plain = $Text -replace '`([^`]+)`', '$1'
    $plain = $plain -replace '\*\*([^*]+)\*\*', '$1'
    $plain = $plain -replace '(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])', '$1'
    # An absolute link keeps its address (Get-Help cannot follow it); a link to a file of this repository keeps its text.
    $plain = [regex]::Replace($plain, '\[([^\]]+)\]\(([^)\s]+)\)', {
            param($match)
            if ($match.Groups[2].Value -match '^https?://') { "$($match.Groups[1].Value) ($($match.Groups[2].Value))" } else { $match.Groups[1].Value }
        })
    $plain -replace '\\([|\\`*_\[\]#])', '$1'
}

function Format-WrappedText {
    # Word-wraps text to $Width columns: the first line starts with $Indent, the others with $HangingIndent.
    param([string] $Text, [string] $Indent, [string] $HangingIndent = $Indent, [int] $Width = 80)
    $lines = [Collections.Generic.List[string]]::new()
    $current = $null
    foreach ($word in @($Text -split '\s+' | Where-Object { $_ })) {
        if ($null -eq $current) { $current = $Indent + $word }
        elseif ($current.Length + 1 + $word.Length -gt $Width) { $lines.Add($current); $current = $HangingIndent + $word }
        else { $current += ' ' + $word }
    }
    if ($null -ne $current) { $lines.Add($current) }
    $lines
}

function Format-TextTable {
    # A markdown table as aligned columns under dashed headers, cells wrapped so that a row fits in $Width columns.
    param([string[]] $Rows, [string] $Indent = '    ', [int] $Width = 80)
    $gap = '  '
    $table = foreach ($row in $Rows) {
        $inner = $row.Trim() -replace '^\|', '' -replace '(?<!\\)\|$', ''
        if ($inner -match '^[\s|:-]+$') { continue }
        , @($inner -split '(?<!\\)\|' | ForEach-Object { ConvertFrom-InlineMarkdown $_.Trim() })
    }
    $columns = ($table | ForEach-Object { $_.Count } | Measure-Object -Maximum).Maximum
    $widths = [int[]]::new($columns)
    foreach ($cells in $table) {
        for ($c = 0; $c -lt $cells.Count; $c++) { $widths[$c] = [Math]::Max($widths[$c], $cells[$c].Length) }
    }
    # Narrow the widest column until the row fits; a column keeps at least 12 characters.
    $available = $Width - $Indent.Length - $gap.Length * ($columns - 1)
    while (($widths | Measure-Object -Sum).Sum -gt $available) {
        $widest = [array]::IndexOf($widths, [int] ($widths | Measure-Object -Maximum).Maximum)
        if ($widths[$widest] -le 12) { break }
        $widths[$widest]--
    }
    $spaced = [bool] ($table | Where-Object { $cells = $_; (0..($cells.Count - 1) | Where-Object { $cells[$_].Length -gt $widths[$_] }) })
    $output = [Collections.Generic.List[string]]::new()
    for ($r = 0; $r -lt @($table).Count; $r++) {
        $cells = @($table)[$r]
        $wrapped = for ($c = 0; $c -lt $columns; $c++) {
            $text = if ($c -lt $cells.Count) { $cells[$c] } else { '' }
            , @(Format-WrappedText -Text $text -Indent '' -Width $widths[$c])
        }
        $height = ($wrapped | ForEach-Object { $_.Count } | Measure-Object -Maximum).Maximum
        # Rows whose cells wrap are told apart by a blank line.
        if ($r -gt 1 -and $spaced) { $output.Add('') }
        for ($l = 0; $l -lt [Math]::Max(1, $height); $l++) {
            $parts = for ($c = 0; $c -lt $columns; $c++) {
                $piece = if ($l -lt $wrapped[$c].Count) { $wrapped[$c][$l] } else { '' }
                $piece.PadRight($widths[$c])
            }
            $output.Add(($Indent + ($parts -join $gap)).TrimEnd())
        }
        if ($r -eq 0) { $output.Add($Indent + (($widths | ForEach-Object { '-' * $_ }) -join $gap)) }
    }
    , $output
}

function ConvertTo-AboutHelpText {
    <#
    .SYNOPSIS
        Writes about_<Topic>.help.txt from about_<Topic>.md as plain text in the about-topic layout.
    .DESCRIPTION
        Get-Help prints an about topic as it is, so no markdown may reach it: TOPIC, then each heading as an upper-case
        section name, prose wrapped at 80 columns and indented 4, list items with a hanging indent, tables as aligned
        columns, code blocks indented 8, and inline markup (backticks, bold, links) taken out.
    #>
    param(
        [Parameter(Mandatory)] [string] $MarkdownPath,
        [Parameter(Mandatory)] [string] $OutputPath
    )
    $output = [Collections.Generic.List[string]]::new()
    $paragraph = [Collections.Generic.List[string]]::new()
    $table = [Collections.Generic.List[string]]::new()
    $state = @{ Bullet = $null; InFence = $false; AfterHeading = $false; Topic = $null }
    $flush = {
        if ($paragraph.Count -gt 0) {
            $text = ConvertFrom-InlineMarkdown ($paragraph -join ' ')
            $lines = @(if ($null -ne $state.Bullet) {
                    Format-WrappedText -Text $text -Indent ('    ' + $state.Bullet + ' ') -HangingIndent (' ' * (5 + $state.Bullet.Length))
                }
                else { Format-WrappedText -Text $text -Indent '    ' })
            $output.AddRange([string[]] $lines)
            $paragraph.Clear()
            $state.Bullet = $null
        }
        if ($table.Count -gt 0) {
            $output.AddRange([string[]] (Format-TextTable -Rows $table))
            $table.Clear()
        }
    }
    foreach ($line in (Get-Content $MarkdownPath)) {
        if ($line -match '^\s*```') {
            & $flush
            $state.InFence = -not $state.InFence
            continue
        }
        if ($state.InFence) { $output.Add(('        ' + $line).TrimEnd()); continue }
        if ($line -match '^# (.+)$') {
            & $flush
            $state.Topic = $Matches[1].Trim()
            $output.AddRange([string[]] @('TOPIC', "    $($state.Topic)", ''))
            continue
        }
        if ($line -match '^#{2,} (.+)$') {
            & $flush
            if ($output.Count -gt 0 -and $output[-1] -ne '') { $output.Add('') }
            $output.Add((ConvertFrom-InlineMarkdown $Matches[1].Trim()).ToUpperInvariant())
            $state.AfterHeading = $true
            continue
        }
        if ([string]::IsNullOrWhiteSpace($line)) {
            & $flush
            if (-not $state.AfterHeading -and $output.Count -gt 0 -and $output[-1] -ne '') { $output.Add('') }
            continue
        }
        $state.AfterHeading = $false
        if ($line -match '^\s*\|') { if ($paragraph.Count) { & $flush }; $table.Add($line); continue }
        if ($line -match '^\s*([-*]|\d+\.)\s+(.*)$') {
            & $flush
            $state.Bullet = if ($Matches[1] -eq '*') { '-' } else { $Matches[1] }
            $paragraph.Add($Matches[2])
            continue
        }
        $paragraph.Add($line.Trim())
    }
    & $flush
    if (-not $state.Topic) { throw "${MarkdownPath}: no '# about_<Topic>' title." }
    if ($state.InFence) { throw "${MarkdownPath}: unclosed code fence." }
    while ($output.Count -gt 0 -and $output[-1] -eq '') { $output.RemoveAt($output.Count - 1) }
    # What would show as markup in Get-Help fails the build here rather than in a reader's console.
    $prose = @($output | Where-Object { -not $_.StartsWith('        ') -or $_ -match '^\s{8}-{3,}' })
    $leftover = @($prose | Where-Object { $_ -match '`|\|\s*-{3}|^#|\*\*|\]\(' })
    if ($leftover.Count) { throw "${MarkdownPath}: markdown left in the about topic:`n  " + ($leftover -join "`n  ") }
    [IO.File]::WriteAllText($OutputPath, ($output -join [Environment]::NewLine) + [Environment]::NewLine, [Text.UTF8Encoding]::new($false))
    Write-Host "Help: $($state.Topic) -> $OutputPath"
}
