#!/usr/bin/env pwsh
# SipActors build tasks. Run with: dotnet tool restore && dotnet pwsh ./build.ps1 <task>
#   build  compile the solution (Release)
#   test   install the test peers if missing (Kamailio, SIPp), then run every test project
#   bench  BenchmarkDotNet micro-benchmarks, then the load comparison when tests/load exists
#   demo   the main job on the embedded default target
#   pack   NuGet packages into artifacts/packages
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'bench', 'demo', 'pack')]
    [string] $Task = 'build',

    # Extra arguments for BenchmarkDotNet (bench) or for the CLI (demo).
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Rest = @()
)

$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $true
Set-Location $PSScriptRoot
$Configuration = 'Release'

function Write-Step([string] $message) { Write-Host "==> $message" -ForegroundColor Cyan }

function Install-TestPeers {
    # Integration tests start Kamailio and SIPp on 127.0.0.1; they come from Debian's packages.
    $packages = @('kamailio', 'kamailio-websocket-modules', 'kamailio-tls-modules', 'sip-tester')
    $missing = @()
    if (-not (Get-Command kamailio -ErrorAction SilentlyContinue)) { $missing += 'kamailio' }
    if (-not (Test-Path '/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so') -and
        -not (Get-ChildItem '/usr/lib/*/kamailio/modules/websocket.so' -ErrorAction SilentlyContinue)) { $missing += 'kamailio-websocket-modules' }
    if (-not (Get-Command sipp -ErrorAction SilentlyContinue)) { $missing += 'sipp' }
    if ($missing.Count -eq 0) { return }

    $isRoot = (& id -u) -eq '0'
    if (-not $isRoot -or -not (Get-Command apt-get -ErrorAction SilentlyContinue)) {
        Write-Warning "Missing test peers ($($missing -join ', ')). Install: apt-get install $($packages -join ' ')"
        Write-Warning 'Integration tests will fail and say what is missing.'
        return
    }
    Write-Step "Installing test peers: $($packages -join ' ') (apt-get)"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq
    & apt-get install -y -qq --no-install-recommends @packages
    Stop-SystemKamailio
}

function Stop-SystemKamailio {
    # Debian's package may start a system Kamailio on port 5060; tests run their own instances.
    if (-not (Get-Command pgrep -ErrorAction SilentlyContinue)) { return }
    $PSNativeCommandUseErrorActionPreference = $false  # pgrep exits 1 when nothing runs
    $pids = @(& pgrep -x kamailio 2>$null)
    $global:LASTEXITCODE = 0
    if ($pids.Count -gt 0) {
        Write-Step 'Stopping the Kamailio service started by the package'
        foreach ($p in $pids) { Stop-Process -Id ([int] $p) -Force -ErrorAction SilentlyContinue }
    }
}

function Invoke-Tests {
    Install-TestPeers
    $results = Join-Path $PSScriptRoot 'artifacts/test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    Write-Step "dotnet build ($Configuration)"
    & dotnet build SipActors.sln -c $Configuration
    $failed = $false
    foreach ($project in Get-ChildItem tests -Filter *.csproj -Recurse | Where-Object { (Get-Content $_.FullName -Raw) -match '<IsTestProject>true' }) {
        Write-Step "dotnet test $($project.BaseName)"
        try {
            # One TRX per project, named after it, so parallel or same-second runs never overwrite each other.
            & dotnet test $project.FullName -c $Configuration --no-build --results-directory $results `
                --logger "trx;LogFileName=$($project.BaseName).trx" --logger 'console;verbosity=normal'
        }
        catch {
            $failed = $true
        }
    }
    $passed = 0; $failures = 0; $skipped = 0; $total = 0
    foreach ($trx in Get-ChildItem $results -Filter *.trx -Recurse -ErrorAction SilentlyContinue) {
        [xml] $doc = Get-Content $trx.FullName
        $c = $doc.TestRun.ResultSummary.Counters
        $passed += [int] $c.passed
        $failures += [int] $c.failed + [int] $c.error + [int] $c.timeout + [int] $c.aborted
        $skipped += [int] $c.notExecuted
        $total += [int] $c.total
    }
    if ($total -eq 0) { $failed = $true; Write-Warning 'No test was executed.' }
    $line = "$passed passed, $failures failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    Write-Host $line
    if ($failed -or $failures -gt 0) { exit 1 }
}

switch ($Task) {
    'build' {
        Write-Step "dotnet build ($Configuration)"
        & dotnet build SipActors.sln -c $Configuration
    }
    'test' { Invoke-Tests }
    'bench' {
        Write-Step 'BenchmarkDotNet micro-benchmarks'
        $benchArgs = if ($Rest.Count -gt 0) { $Rest } else { @('--filter', '*') }
        Push-Location tests/SipActors.Benchmarks
        try { & dotnet run -c $Configuration -- @benchArgs } finally { Pop-Location }
        Write-Step 'Memory per registered account: 10,000 accounts against `sipactors registrar` in another process'
        & dotnet build src/SipActors.Cli -c $Configuration | Out-Null
        $registrar = Start-Process dotnet -ArgumentList @('src/SipActors.Cli/bin/Release/net10.0/sipactors.dll', 'registrar', '--listen', 'udp://127.0.0.1:25160', '--quiet') -PassThru -RedirectStandardOutput artifacts/registrar.log
        try {
            Start-Sleep -Seconds 2
            Push-Location tests/SipActors.Benchmarks
            try { & dotnet run -c $Configuration -- memory --server udp://127.0.0.1:25160 --accounts 10000 } finally { Pop-Location }
        }
        finally {
            Stop-Process -Id $registrar.Id -ErrorAction SilentlyContinue
        }
        if (Test-Path tests/load/run.ps1) {
            Install-TestPeers
            Write-Step 'Load comparison with SIPp against Kamailio (tests/load/run.ps1)'
            & ./tests/load/run.ps1
        }
        else {
            Write-Host 'tests/load/run.ps1 does not exist yet: the SIPp comparison lands with the load command (issue #5).'
        }
    }
    'demo' {
        Write-Step 'sipactors demo'
        & dotnet run -c $Configuration --project src/SipActors.Cli -- demo @Rest
    }
    'pack' {
        Write-Step 'dotnet pack'
        & dotnet pack SipActors.sln -c $Configuration -o artifacts/packages
    }
}
