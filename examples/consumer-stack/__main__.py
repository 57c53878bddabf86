import storefront

storefront.main()
