//! Small builders shared by the migrations, so every table is declared the same way.

use sea_orm_migration::prelude::*;

/// A foreign key `table.column → target.id`. Deletes are restricted unless `cascade` is set:
/// records people rely on (attendance, certificates) are never removed as a side effect.
pub fn fk(table: &'static str, column: &'static str, target: &'static str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut fk = ForeignKey::create();
    fk.name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_update(ForeignKeyAction::Cascade)
        .on_delete(if cascade { ForeignKeyAction::Cascade } else { ForeignKeyAction::Restrict });
    fk
}

/// A (possibly unique) index named after its table and columns.
pub fn index(table: &'static str, columns: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("{}_{}_{}", if unique { "ux" } else { "ix" }, table, columns.join("_"))).table(table);
    for c in columns {
        idx.col(*c);
    }
    if unique {
        idx.unique();
    }
    idx
}

/// `column IN ('a', 'b', …)` for a CHECK constraint on an enumerated text column.
pub fn one_of(column: &'static str, values: &[&'static str]) -> SimpleExpr {
    Expr::col(column).is_in(values.iter().copied())
}

/// Creates the table, then its indexes, in one go.
pub async fn create(
    manager: &SchemaManager<'_>,
    table: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    manager.create_table(table).await?;
    for idx in indexes {
        manager.create_index(idx).await?;
    }
    Ok(())
}

/// Drops tables in the given order (children first).
pub async fn drop_all(manager: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for t in tables {
        manager.drop_table(Table::drop().table(*t).if_exists().to_owned()).await?;
    }
    Ok(())
}
