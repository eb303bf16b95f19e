using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Talko.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RecordingSegmentFormat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows from before Ogg Opus recordings are WAV.
            migrationBuilder.AddColumn<string>(
                name: "Format",
                table: "call_recording_segments",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Wav");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Format",
                table: "call_recording_segments");
        }
    }
}
