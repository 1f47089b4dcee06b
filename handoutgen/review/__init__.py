"""Review by bilingual reviewers: the review sheet and approvals recorded in the catalogues."""
