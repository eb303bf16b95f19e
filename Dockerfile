# syntax=docker/dockerfile:1
# Talko.Server: multi-stage build from the .NET SDK to the ASP.NET Core runtime image.

# Talko Web, the client served at /: built with Node.js into Talko.Server/webclient before the .NET publish picks it up.
FROM node:20-bookworm-slim AS web
WORKDIR /src/Talko.Web
COPY Talko.Web/package.json Talko.Web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY Talko.Web/ ./
RUN npm run build

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so the layer is reused until dependencies change.
COPY Directory.Build.props Directory.Packages.props Talko.sln ./
COPY Talko.Core/Talko.Core.csproj Talko.Core/
COPY Talko.Server/Talko.Server.csproj Talko.Server/
RUN dotnet restore Talko.Server/Talko.Server.csproj
COPY Talko.Core/ Talko.Core/
COPY Talko.Server/ Talko.Server/
COPY --from=web /src/Talko.Server/webclient/ Talko.Server/webclient/
# The client is already built (stage "web"); this image has no Node.js.
RUN dotnet publish Talko.Server/Talko.Server.csproj -c Release --no-restore -p:SkipTalkoWeb=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl for the HEALTHCHECK; libopus0 for native Opus (without it Talko falls back to the slower managed Concentus).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl libopus0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# The data directory (embedded mode) and blob volume must be writable by the unprivileged user.
RUN mkdir -p /data/blobs && chown -R app:app /data
USER app
ENV ASPNETCORE_URLS=http://+:8080 \
    Talko__DataDirectory=/data \
    Talko__Blobs__Directory=/data/blobs
# HTTP; SIP over UDP and TCP; the RTP/RTCP port range (Talko:Sip:RtpPortMin..RtpPortMax).
EXPOSE 8080 5060/udp 5060/tcp 20000-20199/udp
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://localhost:8080/health/live || exit 1
ENTRYPOINT ["dotnet", "Talko.Server.dll"]
