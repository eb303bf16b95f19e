using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Talko.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Calls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "calls",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ConversationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StartedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EndReason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_calls", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "call_participants",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CallId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    LegId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    InstanceId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    JoinedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    JoinOffsetMs = table.Column<long>(type: "INTEGER", nullable: false),
                    LeftAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LeaveOffsetMs = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_call_participants", x => x.Id);
                    table.ForeignKey(
                        name: "FK_call_participants_calls_CallId",
                        column: x => x.CallId,
                        principalTable: "calls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "call_recording_segments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CallId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    InstanceId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    BaseOffsetMs = table.Column<long>(type: "INTEGER", nullable: false),
                    LocalPath = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    ClosedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DataBytes = table.Column<long>(type: "INTEGER", nullable: true),
                    DurationMs = table.Column<long>(type: "INTEGER", nullable: true),
                    BlobId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    TalkersJson = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_call_recording_segments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_call_recording_segments_calls_CallId",
                        column: x => x.CallId,
                        principalTable: "calls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_call_participants_CallId_LegId",
                table: "call_participants",
                columns: new[] { "CallId", "LegId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_call_recording_segments_CallId_Index",
                table: "call_recording_segments",
                columns: new[] { "CallId", "Index" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_calls_ConversationId_EndedAt",
                table: "calls",
                columns: new[] { "ConversationId", "EndedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_calls_EndedAt",
                table: "calls",
                column: "EndedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "call_participants");

            migrationBuilder.DropTable(
                name: "call_recording_segments");

            migrationBuilder.DropTable(
                name: "calls");
        }
    }
}
