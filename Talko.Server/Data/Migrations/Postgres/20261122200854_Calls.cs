using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Talko.Server.Data.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ConversationId = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EndReason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_calls", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "call_participants",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CallId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    DeviceId = table.Column<Guid>(type: "uuid", nullable: true),
                    LegId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    InstanceId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    JoinedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    JoinOffsetMs = table.Column<long>(type: "bigint", nullable: false),
                    LeftAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LeaveOffsetMs = table.Column<long>(type: "bigint", nullable: true)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CallId = table.Column<Guid>(type: "uuid", nullable: false),
                    Index = table.Column<int>(type: "integer", nullable: false),
                    InstanceId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    BaseOffsetMs = table.Column<long>(type: "bigint", nullable: false),
                    LocalPath = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    ClosedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DataBytes = table.Column<long>(type: "bigint", nullable: true),
                    DurationMs = table.Column<long>(type: "bigint", nullable: true),
                    BlobId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    TalkersJson = table.Column<string>(type: "text", nullable: true)
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
