using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Talko.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LookupKeyInCCollation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Changing a column's collation rebuilds its indexes, which then compare lookup keys byte for byte. Invites join
            // identifiers on the key, so both columns change together.
            migrationBuilder.AlterColumn<string>(
                name: "LookupKey",
                table: "user_identifiers",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<string>(
                name: "LookupKey",
                table: "group_invites",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "LookupKey",
                table: "user_identifiers",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldCollation: "C");

            migrationBuilder.AlterColumn<string>(
                name: "LookupKey",
                table: "group_invites",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldCollation: "C");
        }
    }
}
